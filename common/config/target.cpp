#include "common/config/target.hpp"

#include <array>

#include "common/config/values.hpp"
#include "common/core/strings.hpp"

namespace mirrord::config {
namespace {

struct KindNames {
    TargetKind kind;
    std::string_view name;       // string form and display
    std::string_view object_key; // object form
};

constexpr std::array<KindNames, 10> kind_names = {{
    {TargetKind::targetless, "targetless", ""},
    {TargetKind::pod, "pod", "pod"},
    {TargetKind::deployment, "deployment", "deployment"},
    {TargetKind::rollout, "rollout", "rollout"},
    {TargetKind::job, "job", "job"},
    {TargetKind::cronjob, "cronjob", "cron_job"},
    {TargetKind::statefulset, "statefulset", "stateful_set"},
    {TargetKind::service, "service", "service"},
    {TargetKind::replicaset, "replicaset", "replica_set"},
    {TargetKind::label, "label", "labels"},
}};

constexpr std::array<TargetKind, 9> listable = {
    TargetKind::targetless, TargetKind::pod,         TargetKind::deployment,
    TargetKind::rollout,    TargetKind::job,         TargetKind::cronjob,
    TargetKind::statefulset, TargetKind::service,    TargetKind::replicaset};

// mirrord's FAIL_PARSE_DEPLOYMENT_OR_POD help, shortened to one line so it fits an error line.
constexpr std::string_view valid_forms =
    "valid forms are `targetless`, `<type>/<name>[/container/<container>]` with type one of pod, "
    "deployment (or deploy), rollout, job, cronjob, statefulset, service, replicaset, and "
    "`label/<key>=<value>[,<key>=<value>...][/container/<container>]`";

Error invalid_target(std::string_view text) {
    return fail("invalid target provided `{}`: {}", text, valid_forms);
}

std::optional<TargetKind> kind_from_prefix(std::string_view prefix) {
    if (prefix == "deploy")
        return TargetKind::deployment;
    for (const auto& entry : kind_names) {
        if (entry.kind != TargetKind::targetless && entry.name == prefix)
            return entry.kind;
    }
    return std::nullopt;
}

Result<std::map<std::string, std::string>> parse_label_selector(std::string_view text,
                                                                std::string_view whole) {
    std::map<std::string, std::string> labels;
    for (const auto& pair : split(text, ',')) {
        auto equals = pair.find('=');
        if (equals == std::string::npos || equals == 0)
            return fail("invalid target provided `{}`: label `{}` is not of the form "
                        "<key>=<value>",
                        whole, pair);
        labels[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
    return labels;
}

} // namespace

std::string_view target_kind_name(TargetKind kind) {
    return kind_names[static_cast<size_t>(kind)].name;
}

std::string_view target_object_key(TargetKind kind) {
    return kind_names[static_cast<size_t>(kind)].object_key;
}

bool requires_operator(TargetKind kind) {
    switch (kind) {
    case TargetKind::job:
    case TargetKind::cronjob:
    case TargetKind::statefulset:
    case TargetKind::service:
    case TargetKind::replicaset:
    case TargetKind::label:
        return true;
    default:
        return false;
    }
}

std::span<const TargetKind> listable_target_kinds() { return listable; }

std::string Target::display() const {
    if (kind == TargetKind::targetless)
        return "targetless";
    std::string out(target_kind_name(kind));
    out += '/';
    if (kind == TargetKind::label) {
        std::vector<std::string> pairs;
        for (const auto& [key, value] : labels)
            pairs.push_back(key + "=" + value);
        out += join(pairs, ",");
    } else {
        out += name;
    }
    if (container)
        out += "/container/" + *container;
    return out;
}

Result<Target> parse_target_string(std::string_view text) {
    if (text == "targetless")
        return Target{};
    auto parts = split(text, '/');
    auto kind = kind_from_prefix(parts[0]);
    if (!kind)
        return fail("Provided target: {} is unsupported. Did you remember to add a prefix, e.g. "
                    "pod/{}? ({})",
                    text, text, valid_forms);
    bool container_ok = parts.size() == 4 && parts[2] == "container" && !parts[3].empty();
    if ((parts.size() != 2 && !container_ok) || parts[1].empty())
        return invalid_target(text);
    Target target;
    target.kind = *kind;
    if (container_ok)
        target.container = parts[3];
    if (*kind != TargetKind::label) {
        target.name = parts[1];
        return target;
    }
    MIRRORD_TRY_ASSIGN(target.labels, parse_label_selector(parts[1], text));
    return target;
}

} // namespace mirrord::config
