#include "common/session/scale_down.hpp"

#include "common/core/log.hpp"
#include "common/kube/updates.hpp"

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

std::string lowercase(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

} // namespace

std::string ScaleTarget::describe() const {
    return fmt::format("{} {}/{}", lowercase(kind.kind), namespace_, name);
}

std::optional<Ledger> read_ledger(const json& workload) {
    // value(), not operator[]: a const json's operator[] on a missing key is undefined.
    auto annotations =
        workload.value("metadata", json::object()).value("annotations", json::object());
    auto text = annotations.value(scale_down_annotation, "");
    if (text.empty())
        return std::nullopt;
    auto parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed["replicas"].is_number_integer())
        return std::nullopt;
    return Ledger{parsed["replicas"].get<int>(), parsed.value("session", ""),
                  parsed.value("owner", ""), parsed.value("since", "")};
}

Result<ScaleTarget> scale_target_for(kube::Client& client, const ResolvedTarget& target) {
    const auto& kind = target.kind.kind;
    auto name = target.workload["metadata"].value("name", "");
    if (kind == "Deployment" || kind == "StatefulSet" || kind == "Rollout")
        return ScaleTarget{target.kind, target.namespace_, name};
    if (kind == "ReplicaSet") {
        for (const auto& owner : target.workload["metadata"].value("ownerReferences", json::array()))
            if (owner.value("kind", "") == "Deployment" && owner.value("controller", false))
                return ScaleTarget{kube::kinds::deployment, target.namespace_,
                                   owner.value("name", "")};
        return fail("scale_down of replicaset/{} needs a Deployment that owns it; scale a bare "
                    "ReplicaSet yourself",
                    name);
    }
    (void)client;
    return fail("scale_down works with deployment, statefulset and replicaset targets; a {} "
                "target has no replica count to scale (use copy_target without scale_down)",
                lowercase(kind));
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
        for (const auto& hpa : (*hpas)["items"]) {
            const auto& ref = hpa["spec"].value("scaleTargetRef", json::object());
            if (ref.value("kind", "") == target.kind.kind && ref.value("name", "") == target.name)
                warnings.push_back(fmt::format(
                    "HorizontalPodAutoscaler {} targets {}; it may scale it back up while "
                    "mirrord runs",
                    hpa["metadata"].value("name", ""), target.describe()));
        }
    }
    auto meta = workload["metadata"];
    for (const auto* field : {"labels", "annotations"}) {
        const json entries = meta.value(field, json::object()); // items() needs a named object
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
        auto existing = read_ledger(current);
        int replicas = current["spec"].value("replicas", 1);
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
        auto ledger = read_ledger(current);
        outcome = RestoreOutcome{};
        if (!ledger || ledger->session != session_id)
            return std::optional<json>{};
        outcome.found = true;
        outcome.replicas = ledger->replicas;
        json patch = {{"metadata", {{"annotations", {{scale_down_annotation, nullptr}}}}}};
        int now = current["spec"].value("replicas", 0);
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
    auto selector = selector_string(workload["spec"].value("selector", json::object()));
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
