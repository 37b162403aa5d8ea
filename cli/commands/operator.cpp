// `mirrord operator status [-n NS | -A]`: the sessions running in the cluster, as mirrord's
// operator table (spec section 3, "Status display") extended with session, user, age and state.
// We have no operator: everything is read from session Leases, copy pods and scale-down ledgers.
// Queue splits (agent/split_status.hpp) follow in a second table: each split's leader and its
// sessions with their filters; in JSON, each session row carries its "split".

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/split_names.hpp"
#include "agent/split_status.hpp"
#include "cli/cluster_options.hpp"
#include "cli/config_flags.hpp"
#include "cli/commands/command.hpp"
#include "common/config/config.hpp"
#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "cli/kube_options.hpp"
#include "cli/operator_setup.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"
#include "common/session/copy_target.hpp"
#include "common/session/fields.hpp"
#include "common/session/lease.hpp"
#include "common/session/liveness.hpp"
#include "common/session/scale_down.hpp"

namespace mirrord::cli {
namespace {

using nlohmann::json;

struct StatusArgs {
    std::optional<std::string> namespace_;
    bool all_namespaces = false;
    std::optional<std::string> config_file;
    std::string output = "table";
};

// One row: a session, or a ledger whose session Lease is gone ("orphaned": `reset` restores it).
struct Row {
    std::string target, namespace_, session, owner, state;
    std::vector<std::string> copy_pods;
    std::optional<std::pair<session::ScaleTarget, session::Ledger>> scale_down;
    std::optional<session::Clock::time_point> started;
};

// "namespace/session id": sessions are unique per namespace only.
std::string key_of(const std::string& namespace_, const std::string& id) {
    return namespace_ + "/" + id;
}

// Copy pod names by session key.
Result<std::map<std::string, std::vector<std::string>>> copy_pods(kube::Client& client,
                                                                  const std::string& namespace_) {
    kube::ListOptions options;
    options.label_selector = fmt::format("{},{}", session::session_label, session::copy_of_label);
    MIRRORD_TRY_ASSIGN(auto pods, client.list(kube::kinds::pod.collection(namespace_), options));
    std::map<std::string, std::vector<std::string>> found;
    const json* items = session::fields::find(pods, "items");
    for (const auto& pod : items && items->is_array() ? *items : json::array()) {
        const auto& meta = session::fields::object_at(pod, "metadata");
        auto id = session::fields::string_or(session::fields::object_at(meta, "labels"),
                                             session::session_label);
        found[key_of(session::fields::string_or(meta, "namespace"), id)].push_back(
            session::fields::string_or(meta, "name"));
    }
    return found;
}

// The rows, and the apiserver's time when they were read: ages are judged by the clock that
// wrote the start times (the Lease's, by exec's ApiClock), not by this machine's.
struct Listing {
    std::vector<Row> rows;
    session::Clock::time_point now;
    std::vector<agent::SplitRow> splits; // filled by run_status
};

Result<Listing> collect(kube::Client& client, const std::string& namespace_) {
    session::ApiClock clock;
    MIRRORD_TRY_ASSIGN(auto census, session::take_census(client, namespace_, clock));
    MIRRORD_TRY_ASSIGN(auto pods, copy_pods(client, namespace_).wrap("listing copy pods"));
    for (const auto& message : census.malformed)
        log::warn("{}", message);
    std::map<std::string, std::pair<session::ScaleTarget, session::Ledger>> held;
    for (const auto& entry : census.held)
        held[key_of(entry.first.namespace_, entry.second.session)] = entry;
    std::vector<Row> rows;
    auto add_session = [&](const session::SessionRecord& record, const char* state) {
        auto key = key_of(record.namespace_, record.id);
        Row row{record.target, record.namespace_, record.id, record.owner, state, pods[key],
                std::nullopt, record.started};
        if (auto found = held.find(key); found != held.end())
            row.scale_down = found->second;
        rows.push_back(std::move(row));
    };
    for (const auto& record : census.live)
        add_session(record, "active");
    for (const auto& record : census.dead)
        add_session(record, "stale");
    for (const auto& entry : census.orphans) {
        const auto& [target, ledger] = entry;
        Row row{target.describe(), target.namespace_, ledger.session, ledger.owner, "orphaned",
                pods[key_of(target.namespace_, ledger.session)], entry,
                session::parse_time(ledger.since)};
        rows.push_back(std::move(row));
    }
    return Listing{std::move(rows), clock.now(), {}};
}

// kubectl's age style: 42s, 5m, 3h, 2d.
std::string age(const std::optional<session::Clock::time_point>& since,
                session::Clock::time_point now) {
    if (!since)
        return "-";
    auto elapsed = now - *since;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    if (seconds < 0)
        seconds = 0;
    if (seconds < 120)
        return fmt::format("{}s", seconds);
    if (seconds < 7200)
        return fmt::format("{}m", seconds / 60);
    if (seconds < 172800)
        return fmt::format("{}h", seconds / 3600);
    return fmt::format("{}d", seconds / 86400);
}

// The split a session belongs to, for the JSON rows; null when none.
json split_of(const std::vector<agent::SplitRow>& splits, const Row& row) {
    for (const auto& split : splits)
        for (const auto& member : split.sessions)
            if (member.session == row.session && split.namespace_ == row.namespace_) {
                json filter = json::object();
                for (const auto& [header, regex] : member.filter)
                    filter[header] = regex;
                return {{"key", split.key},
                        {"topic_id", split.topic_id},
                        {"topic", split.original_topic},
                        {"session_topic", member.session_topic},
                        {"filter", filter},
                        {"leader", split.leader == member.session},
                        {"state", member.state},
                        {"delivered", member.delivered}};
            }
    return nullptr;
}

json to_json(const std::vector<Row>& rows, const std::vector<agent::SplitRow>& splits) {
    json listed = json::array();
    for (const auto& row : rows) {
        json scale = nullptr;
        if (row.scale_down)
            scale = {{"workload", row.scale_down->first.describe()},
                     {"replicas", row.scale_down->second.replicas},
                     {"since", row.scale_down->second.since}};
        listed.push_back({{"target", row.target},
                          {"namespace", row.namespace_},
                          {"copy_pods", row.copy_pods},
                          {"scale_down", scale},
                          {"session", row.session},
                          {"user", row.owner},
                          {"started", row.started ? session::micro_time(*row.started) : ""},
                          {"state", row.state},
                          {"split", split_of(splits, row)}});
    }
    return listed;
}

// mirrord's bordered table: "+---+" rules, " | " between cells.
void print_table(const std::vector<std::vector<std::string>>& cells) {
    std::vector<size_t> widths(cells.front().size(), 0);
    for (const auto& line : cells)
        for (size_t i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    std::string rule = "+";
    for (auto width : widths)
        rule += std::string(width + 2, '-') + "+";
    std::cout << rule << '\n';
    for (size_t n = 0; n < cells.size(); ++n) {
        std::cout << "|";
        for (size_t i = 0; i < widths.size(); ++i)
            std::cout << ' ' << cells[n][i] << std::string(widths[i] - cells[n][i].size(), ' ')
                      << " |";
        std::cout << '\n';
        if (n == 0 || n + 1 == cells.size())
            std::cout << rule << '\n';
    }
}

void print_splits(const std::vector<agent::SplitRow>& splits) {
    std::vector<std::vector<std::string>> cells = {{"Split", "Namespace", "Topic", "Leader",
                                                    "Session", "Session Topic", "Filter",
                                                    "State", "Delivered"}};
    for (const auto& split : splits) {
        auto leader = split.leader.empty() ? std::string("-")
                                           : fmt::format("{} ({})", split.leader,
                                                         split.leader_state);
        auto topic = fmt::format("{} ({})",
                                 split.original_topic.empty() ? "-" : split.original_topic,
                                 split.topic_id.empty() ? "-" : split.topic_id);
        if (split.sessions.empty())
            cells.push_back({split.key, split.namespace_, topic, leader, "-", "-", "-", "-", "-"});
        for (const auto& member : split.sessions)
            cells.push_back({split.key, split.namespace_, topic, leader, member.session,
                             member.session_topic.empty() ? "-" : member.session_topic,
                             agent::describe_filter(member.filter), member.state,
                             std::to_string(member.delivered)});
    }
    std::cout << "Queue splits:\n";
    print_table(cells);
}

void print_rows(const std::vector<Row>& rows, session::Clock::time_point now,
                const std::vector<agent::SplitRow>& splits) {
    if (rows.empty()) {
        std::cout << "No active sessions\n";
        if (!splits.empty())
            print_splits(splits);
        return;
    }
    std::vector<std::vector<std::string>> cells = {{"Original Target", "Namespace",
                                                    "Copy Pod Name", "Scale Down?", "Session",
                                                    "User", "Age", "State"}};
    for (const auto& row : rows) {
        // mirrord marks scale-down with "*"; we add the replicas it will restore.
        auto scale = row.scale_down
                         ? fmt::format("* ({} replicas)", row.scale_down->second.replicas)
                         : std::string{};
        cells.push_back({row.target, row.namespace_,
                         row.copy_pods.empty() ? "-" : join(row.copy_pods, ","), scale,
                         row.session, row.owner, age(row.started, now), row.state});
    }
    print_table(cells);
    if (!splits.empty())
        print_splits(splits);
}

Result<Listing> run_status(const StatusArgs& args) {
    MIRRORD_TRY_ASSIGN(auto options, cluster_options(args.config_file, args.namespace_));
    MIRRORD_TRY_ASSIGN(auto client, kube::Client::connect(options.kube));
    auto namespace_ = args.all_namespaces ? std::string{} : client->default_namespace();
    MIRRORD_TRY_ASSIGN(auto listing, collect(*client, namespace_));
    MIRRORD_TRY_ASSIGN(listing.splits, agent::list_splits(*client, namespace_));
    return listing;
}

} // namespace

Command add_operator(CLI::App& parent) {
    auto args = std::make_shared<StatusArgs>();
    auto* app = parent.add_subcommand(
        "operator", "Inspect mirrord sessions in the cluster; print the cluster setup");
    app->require_subcommand(1);
    CLI::App* setup = nullptr;
    auto run_setup = add_operator_setup(*app, setup);
    auto* status = app->add_subcommand(
        "status", "Print active sessions: target, namespace, copy pod, scale-down, session, "
                  "user, age and state (active, stale, or orphaned: a scale-down whose session "
                  "is gone; `mirrord reset` undoes stale and orphaned ones)");
    auto* ns = status->add_option("-n,--namespace", args->namespace_,
                                  "Namespace (default: the config's target.namespace, else the "
                                  "kube context's)");
    status->add_flag("-A,--all-namespaces", args->all_namespaces, "Sessions in every namespace")
        ->excludes(ns);
    status->add_option(config_file_option, args->config_file,
                       "mirrord config file (kubeconfig, context and namespace)");
    status->add_option("-o,--output", args->output, "Output format")
        ->check(CLI::IsMember({"table", "json"}));
    return {app, [args, setup, run_setup] {
                if (setup->parsed())
                    return run_setup();
                auto listing = run_status(*args);
                if (!listing) {
                    log::error(
                        std::move(listing).error().wrap("reading session status").message());
                    return 1;
                }
                if (args->output == "json")
                    std::cout << to_json(listing->rows, listing->splits).dump() << '\n';
                else
                    print_rows(listing->rows, listing->now, listing->splits);
                return 0;
            }};
}

} // namespace mirrord::cli
