#include "common/kube/updates.hpp"

#include <random>
#include <thread>

#include "common/kube/json_fields.hpp"
#include "common/kube/status_error.hpp"

namespace mirrord::kube {
namespace {

constexpr int conflict_steps = 5;
constexpr auto conflict_delay = std::chrono::milliseconds(10);

void conflict_pause() {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(0, 1); // 10-11 ms: DefaultRetry's 0.1 jitter
    std::this_thread::sleep_for(conflict_delay + std::chrono::milliseconds(jitter(random)));
}

} // namespace

Result<json> patch_with_conflict_retry(Client& client, const std::string& path,
                                       const PatchBuilder& build) {
    for (int step = 1;; ++step) {
        MIRRORD_TRY_ASSIGN(auto current, client.get(path));
        MIRRORD_TRY_ASSIGN(auto patch, build(current));
        if (!patch)
            return current;
        // A resourceVersion in a merge patch is a precondition: the apiserver answers 409 when
        // the object changed since our GET.
        const std::string version =
            string_member(object_member(current, "metadata"), "resourceVersion");
        if (version.empty())
            return fail("GET {}: the object has no metadata.resourceVersion", path);
        if (!patch->is_object())
            return fail("PATCH {}: the merge patch is not a JSON object", path);
        (*patch)["metadata"]["resourceVersion"] = version;
        MIRRORD_TRY_ASSIGN(auto response, client.call({"PATCH", path, {}, patch->dump(),
                                                       "application/merge-patch+json"}));
        if (response.status >= 200 && response.status < 300)
            return std::move(response.body);
        auto error = status_error("PATCH", path, response.status, response.raw);
        if (!is_conflict(error) || step >= conflict_steps)
            return error;
        conflict_pause();
    }
}

Result<json> json_patch_at_version(Client& client, const std::string& path, json operations,
                                   const std::string& resource_version) {
    json guarded = json::array();
    guarded.push_back(
        {{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", resource_version}});
    for (auto& operation : operations)
        guarded.push_back(std::move(operation));
    return client.json_patch(path, guarded);
}

Result<int> get_scale(Client& client, const std::string& object_path) {
    MIRRORD_TRY_ASSIGN(auto scale, client.get(object_path + "/scale"));
    const json& replicas = member(object_member(scale, "spec"), "replicas");
    if (replicas.is_null())
        return 0; // spec.replicas is omitted when 0
    if (!replicas.is_number_integer())
        return fail("GET {}/scale: spec.replicas is not an integer: {}", object_path,
                    replicas.dump());
    return static_cast<int>(replicas.get<long long>());
}

Status set_scale(Client& client, const std::string& object_path, int replicas) {
    auto patched = client.merge_patch(object_path + "/scale", {{"spec", {{"replicas", replicas}}}});
    if (!patched)
        return std::move(patched).error();
    return {};
}

} // namespace mirrord::kube
