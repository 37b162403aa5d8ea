#include "common/session/scale_down.hpp"

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/updates.hpp"
#include "common/session/fields.hpp"

namespace mirrord::session {
namespace {

bool is_not_found(const Error& error) {
    return kube::is_not_found(error);
}

json ledger_json(const Ledger& ledger) {
    return {{"replicas", ledger.replicas},
            {"session", ledger.session},
            {"owner", ledger.owner},
            {"since", ledger.since}};
}

} // namespace

std::string ScaleTarget::describe() const {
    return fmt::format("{} {}/{}", to_lower(kind.kind), namespace_, name);
}

Result<std::optional<Ledger>> parse_ledger(const json& workload, const std::string& what) {
    const json& annotations = fields::object_at(fields::object_at(workload, "metadata"),
                                                "annotations");
    const json* annotation = fields::find(annotations, scale_down_annotation);
    if (annotation == nullptr)
        return std::optional<Ledger>{};
    auto problem = [&](const std::string& text) -> Error {
        return Error(fmt::format("{}: annotation {}: malformed scale-down ledger: {} (remove it "
                                 "with `kubectl annotate` once the replicas are right)",
                                 what, scale_down_annotation, text));
    };
    if (!annotation->is_string())
        return problem("not a string");
    auto parsed = json::parse(annotation->get_ref<const std::string&>(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return problem("not a JSON object: " + fields::shown(*annotation));
    auto replicas = fields::integer_at(parsed, "replicas");
    if (!replicas || *replicas < 0 || *replicas > 1000000)
        return problem("\"replicas\" must be a count from 0 to 1000000, got " +
                       (fields::find(parsed, "replicas") ? fields::shown(parsed["replicas"])
                                                         : std::string("nothing")));
    auto session = fields::string_at(parsed, "session");
    if (!session || !valid_session_id(*session))
        return problem("\"session\" must be a mirrord session id, got " +
                       (fields::find(parsed, "session") ? fields::shown(parsed["session"])
                                                        : std::string("nothing")));
    for (const char* key : {"owner", "since"})
        if (const json* value = fields::find(parsed, key); value && !value->is_string())
            return problem(fmt::format("\"{}\" must be a string, got {}", key,
                                       fields::shown(*value)));
    return std::optional<Ledger>(Ledger{static_cast<int>(*replicas), *session,
                                        fields::string_or(parsed, "owner"),
                                        fields::string_or(parsed, "since")});
}

std::optional<Ledger> read_ledger(const json& workload) {
    auto parsed = parse_ledger(workload, "workload");
    return parsed ? std::move(*parsed) : std::nullopt;
}

const kube::ResourceKind& rollout_kind() {
    static const kube::ResourceKind kind =
        kube::custom_resource("argoproj.io", "v1alpha1", "rollouts", "Rollout");
    return kind;
}

const std::vector<kube::ResourceKind>& scalable_kinds() {
    static const std::vector<kube::ResourceKind> kinds = {kube::kinds::deployment,
                                                          kube::kinds::statefulset, rollout_kind()};
    return kinds;
}

Result<LedgerList> list_ledgers(kube::Client& client, const std::string& namespace_) {
    LedgerList found;
    for (const auto& kind : scalable_kinds()) {
        auto list = client.list(kind.collection(namespace_));
        if (!list && &kind == &scalable_kinds().back() && is_not_found(list.error()))
            continue; // no Rollout CRD in this cluster: no Rollouts to scan
        if (!list)
            return std::move(list).error().wrap("listing scale-down ledgers");
        const json* items = fields::find(*list, "items");
        if (items == nullptr || !items->is_array())
            continue;
        for (const auto& item : *items) {
            const json& meta = fields::object_at(item, "metadata");
            ScaleTarget target{kind, fields::string_or(meta, "namespace"),
                               fields::string_or(meta, "name")};
            auto ledger = parse_ledger(item, target.describe());
            if (!ledger)
                found.malformed.push_back(ledger.error().message());
            else if (*ledger)
                found.ledgers.push_back({target, **ledger});
        }
    }
    return found;
}

Result<ScaleTarget> scale_target_for(kube::Client& client, const ResolvedTarget& target) {
    const auto& kind = target.kind.kind;
    const json& meta = fields::object_at(target.workload, "metadata");
    auto name = fields::string_or(meta, "name");
    if (kind == "Deployment" || kind == "StatefulSet")
        return ScaleTarget{target.kind, target.namespace_, name};
    if (kind == "Rollout")
        return ScaleTarget{rollout_kind(), target.namespace_, name};
    if (kind == "ReplicaSet") {
        const json* owners = fields::find(meta, "ownerReferences");
        for (const auto& owner : owners && owners->is_array() ? *owners : json::array())
            if (fields::string_or(owner, "kind") == "Deployment" &&
                fields::find(owner, "controller") && owner["controller"] == true)
                return ScaleTarget{kube::kinds::deployment, target.namespace_,
                                   fields::string_or(owner, "name")};
        return fail("scale_down of replicaset/{} needs a Deployment that owns it; scale a bare "
                    "ReplicaSet yourself",
                    name);
    }
    (void)client;
    return fail("scale_down works with deployment, statefulset and replicaset targets; a {} "
                "target has no replica count to scale (use copy_target without scale_down)",
                to_lower(kind));
}

std::vector<std::string> scale_back_risks(kube::Client& client, const ScaleTarget& target,
                                          const json& workload) {
    std::vector<std::string> warnings;
    auto hpas = client.list(
        kube::custom_resource("autoscaling", "v2", "horizontalpodautoscalers").collection(
            target.namespace_));
    if (!hpas) // not fatal: the scale-down itself is what matters; say why the check was skipped
        log::debug("skipping the HorizontalPodAutoscaler check: {}", hpas.error().message());
    if (hpas) {
        const json* items = fields::find(*hpas, "items");
        for (const auto& hpa : items && items->is_array() ? *items : json::array()) {
            const auto& ref = fields::object_at(fields::object_at(hpa, "spec"), "scaleTargetRef");
            if (fields::string_or(ref, "kind") == target.kind.kind &&
                fields::string_or(ref, "name") == target.name)
                warnings.push_back(fmt::format(
                    "HorizontalPodAutoscaler {} targets {}; it may scale it back up while "
                    "mirrord runs",
                    fields::string_or(fields::object_at(hpa, "metadata"), "name"),
                    target.describe()));
        }
    }
    const json& meta = fields::object_at(workload, "metadata");
    for (const auto* field : {"labels", "annotations"}) {
        const json& entries = fields::object_at(meta, field); // items() needs a named object
        for (const auto& [key, value] : entries.items()) {
            if (key.rfind("argocd.argoproj.io/", 0) == 0 || key.find("fluxcd.io/") != std::string::npos) {
                warnings.push_back(fmt::format(
                    "{} is managed by GitOps ({}); Argo CD or Flux may restore its replicas "
                    "while mirrord runs",
                    target.describe(), key));
                return warnings;
            }
        }
    }
    return warnings;
}

Result<Ledger> scale_down(kube::Client& client, const ScaleTarget& target,
                          const SessionRecord& session, const HolderIsGone& holder_is_gone) {
    Ledger placed;
    auto path = target.kind.object(target.namespace_, target.name);
    auto build = [&](const json& current) -> Result<std::optional<json>> {
        auto read = parse_ledger(current, target.describe());
        if (!read)
            return std::move(read).error();
        auto existing = *read;
        int replicas = static_cast<int>(
            fields::integer_at(fields::object_at(current, "spec"), "replicas").value_or(1));
        if (existing && existing->session == session.id && replicas == 0) {
            placed = *existing;
            return std::optional<json>{};
        }
        if (existing && existing->session != session.id && !holder_is_gone(existing->session))
            return fail("{} is already scaled down by mirrord session {} ({}, since {}); only "
                        "one session may scale a workload down at a time",
                        target.describe(), existing->session, existing->owner, existing->since);
        // Keep the original count of a ledger we take over: the workload is at 0 because of it.
        placed = Ledger{existing ? existing->replicas : replicas, session.id, session.owner,
                        micro_time(Clock::now())};
        return std::optional<json>(json{
            {"metadata", {{"annotations", {{scale_down_annotation, ledger_json(placed).dump()}}}}},
            {"spec", {{"replicas", 0}}}});
    };
    auto patched = kube::patch_with_conflict_retry(client, path, build);
    if (!patched)
        return std::move(patched).error().wrap("scaling down " + target.describe());
    return placed;
}

Result<RestoreOutcome> restore_scale_outcome(kube::Client& client, const ScaleTarget& target,
                                             const std::string& session_id) {
    RestoreOutcome outcome;
    auto path = target.kind.object(target.namespace_, target.name);
    auto build = [&](const json& current) -> Result<std::optional<json>> {
        auto read = parse_ledger(current, target.describe());
        if (!read)
            return std::move(read).error();
        auto ledger = *read;
        outcome = RestoreOutcome{};
        if (!ledger || ledger->session != session_id)
            return std::optional<json>{};
        outcome.found = true;
        outcome.replicas = ledger->replicas;
        json patch = {{"metadata", {{"annotations", {{scale_down_annotation, nullptr}}}}}};
        int now = static_cast<int>(
            fields::integer_at(fields::object_at(current, "spec"), "replicas").value_or(0));
        if (now != 0) {
            outcome.warning = fmt::format("{} was scaled to {} by someone else while mirrord ran; "
                                          "leaving it at {} (it had {} before)",
                                          target.describe(), now, now, ledger->replicas);
        } else {
            patch["spec"] = {{"replicas", ledger->replicas}};
        }
        return std::optional<json>(std::move(patch));
    };
    auto patched = kube::patch_with_conflict_retry(client, path, build);
    if (!patched) {
        if (is_not_found(patched.error()))
            return RestoreOutcome{};
        return std::move(patched).error().wrap("restoring " + target.describe());
    }
    return outcome;
}

Result<std::optional<std::string>> restore_scale(kube::Client& client, const ScaleTarget& target,
                                                 const std::string& session_id) {
    MIRRORD_TRY_ASSIGN(auto outcome, restore_scale_outcome(client, target, session_id));
    return outcome.warning;
}

Result<int> count_workload_pods(kube::Client& client, const ScaleTarget& target,
                                const json& workload) {
    const json& spec = fields::object_at(workload, "spec");
    auto selector = selector_string(fields::object_at(spec, "selector"));
    if (selector.empty())
        return 0;
    kube::ListOptions options;
    options.label_selector = selector;
    auto pods = client.list(kube::kinds::pod.collection(target.namespace_), options);
    if (!pods)
        return std::move(pods).error().wrap("listing pods of " + target.describe());
    // Terminating pods count too: a consumer keeps consuming until its process has exited.
    return static_cast<int>((*pods)["items"].size());
}

} // namespace mirrord::session
