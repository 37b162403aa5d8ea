#include "common/kube/pod_env.hpp"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/base64.hpp"
#include "common/kube/json_fields.hpp"

namespace mirrord::kube {
namespace {

using nlohmann::json;
// A string field of a JSON object, or "" (pod JSON fields are often absent).
std::string string_at(const json& object, const json::json_pointer& pointer) {
    if (!object.contains(pointer))
        return {};
    const json& value = object.at(pointer);
    return value.is_string() ? value.get<std::string>() : std::string();
}

const json* find_container(const json& pod, const std::string& name) {
    for (const auto& container : array_member(object_member(pod, "spec"), "containers")) {
        if (container.is_object() && string_member(container, "name") == name)
            return &container;
    }
    return nullptr;
}

std::vector<std::string> container_names(const json& pod) {
    std::vector<std::string> names;
    for (const auto& container : array_member(object_member(pod, "spec"), "containers"))
        names.push_back(string_member(container, "name"));
    return names;
}

// A string or number from JSON (quantities may be written either way).
std::string scalar_text(const json& value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_number())
        return value.dump();
    return {};
}

} // namespace

std::optional<std::string> ResolvedEnv::get(const std::string& name) const {
    for (const auto& var : vars) {
        if (var.name == name)
            return var.value;
    }
    return std::nullopt;
}

bool ResolvedEnv::is_secret(const std::string& name) const {
    for (const auto& var : vars) {
        if (var.name == name)
            return var.from_secret;
    }
    return false;
}

bool is_valid_env_name(const std::string& name) {
    if (name.empty())
        return false;
    auto allowed = [](char c, bool first) {
        return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' ||
               c == '_' || (!first && std::isdigit(static_cast<unsigned char>(c)) != 0);
    };
    for (size_t i = 0; i < name.size(); ++i) {
        if (!allowed(name[i], i == 0))
            return false;
    }
    return true;
}

std::string expand_env_references(
    const std::string& value,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
        // A `$` as the last character, or not followed by `$` or `(`, is plain text.
        if (value[i] != '$' || i + 1 >= value.size()) {
            out += value[i++];
            continue;
        }
        char next = value[i + 1];
        if (next == '$') { // `$$` is an escaped `$`
            out += '$';
            i += 2;
        } else if (next == '(') {
            size_t close = value.find(')', i + 2);
            if (close == std::string::npos) { // an unclosed `$(` stays as written
                out += "$(";
                i += 2;
                continue;
            }
            std::string name = value.substr(i + 2, close - i - 2);
            auto found = lookup(name);
            out += found ? *found : "$(" + name + ")";
            i = close + 1;
        } else {
            out += '$';
            out += next;
            i += 2;
        }
    }
    return out;
}

namespace {

// One resolution: the pod, the lookups with their cache, and the environment built so far.
class Resolver {
public:
    Resolver(const json& pod, const json& container, const EnvSources& sources,
             const PodEnvOptions& options)
        : pod_(pod), container_(container), sources_(sources), options_(options) {
        namespace_ = string_at(pod, json::json_pointer("/metadata/namespace"));
        if (namespace_.empty())
            namespace_ = options.namespace_name;
    }

    Result<ResolvedEnv> run() {
        MIRRORD_TRY(each("envFrom", [&](const json& source) { return env_from(source); }));
        MIRRORD_TRY(each("env", [&](const json& entry) { return env_entry(entry); }));
        return std::move(env_);
    }

private:
    enum class Kind { config_map, secret };

    // Runs `handle` on each entry of the container's `list` ("env", "envFrom"). An entry of the
    // wrong shape (a hand-written manifest, a schemaless template) becomes an error naming it;
    // the handlers' nlohmann accessors may throw on a field of the wrong type.
    template <typename Handle> Status each(const char* list, const Handle& handle) {
        const json& entries = member(container_, list);
        if (entries.is_null())
            return {};
        const std::string where =
            fmt::format("container \"{}\" {}", string_member(container_, "name"), list);
        if (!entries.is_array())
            return fail("{}: not a list", where);
        for (size_t i = 0; i < entries.size(); ++i) {
            const json& entry = entries[i];
            try {
                if (!entry.is_object())
                    // The type only: a literal entry may hold a secret ("PASSWORD=...").
                    return fail("{}[{}]: not an object but a {}", where, i, entry.type_name());
                MIRRORD_TRY(handle(entry));
            } catch (const json::exception& e) {
                return fail("{}[{}] ({}): a field has the wrong type: {}", where, i,
                            string_member(entry, "name"), e.what());
            }
        }
        return {};
    }

    static std::string_view kind_name(Kind kind) {
        return kind == Kind::secret ? "secret" : "config map";
    }

    void set(const std::string& name, std::string value, bool secret) {
        if (secret)
            log::add_secret(value);
        if (auto it = index_.find(name); it != index_.end()) {
            env_.vars[it->second].value = std::move(value);
            env_.vars[it->second].from_secret = secret;
            return;
        }
        index_[name] = env_.vars.size();
        env_.vars.push_back({name, std::move(value), secret});
    }

    // The object's data with secret values base64-decoded; nullopt when the object is absent.
    Result<std::optional<std::map<std::string, std::string>>> data_of(Kind kind,
                                                                       const std::string& name) {
        auto& cache = kind == Kind::secret ? secrets_ : config_maps_;
        if (auto it = cache.find(name); it != cache.end())
            return it->second;
        const auto& lookup = kind == Kind::secret ? sources_.secret : sources_.config_map;
        if (!lookup)
            return fail("reading {} \"{}\": no lookup configured", kind_name(kind), name);
        auto object = lookup(name);
        if (!object)
            return std::move(object).error().wrap(
                fmt::format("reading {} \"{}\"", kind_name(kind), name));
        std::optional<std::map<std::string, std::string>> data;
        if (object->has_value()) {
            data.emplace();
            const json& body = **object;
            if (body.contains("data") && body["data"].is_object()) {
                for (const auto& [key, value] : body["data"].items()) {
                    std::string text = value.is_string() ? value.get<std::string>() : "";
                    if (kind == Kind::secret) {
                        auto decoded = base64_decode(text);
                        if (!decoded)
                            return fail("secret \"{}\": key \"{}\" is not valid base64", name,
                                        key);
                        text = std::move(*decoded);
                    }
                    (*data)[key] = std::move(text);
                }
            }
        }
        cache[name] = data;
        return data;
    }

    Status env_from(const json& source) {
        std::string prefix = source.value("prefix", "");
        Kind kind = source.contains("secretRef") ? Kind::secret : Kind::config_map;
        const char* field = kind == Kind::secret ? "secretRef" : "configMapRef";
        if (!source.contains(field))
            return fail("envFrom: an entry has neither configMapRef nor secretRef");
        const json& ref = source[field];
        std::string name = ref.value("name", "");
        MIRRORD_TRY_ASSIGN(auto data, data_of(kind, name).wrap("envFrom"));
        if (!data) {
            if (ref.value("optional", false))
                return {};
            return fail("envFrom: {} \"{}\" not found in namespace \"{}\"", kind_name(kind),
                        name, namespace_);
        }
        std::vector<std::string> skipped;
        for (const auto& [key, value] : *data) {
            if (!is_valid_env_name(prefix + key)) {
                skipped.push_back(prefix + key);
                continue;
            }
            set(prefix + key, value, kind == Kind::secret);
        }
        if (!skipped.empty())
            env_.warnings.push_back(fmt::format(
                "keys [{}] from the envFrom {} {}/{} were skipped since they are not valid "
                "environment variable names",
                join(skipped, ", "), kind_name(kind), namespace_, name));
        return {};
    }

    Status env_entry(const json& entry) {
        std::string name = entry.value("name", "");
        if (!entry.contains("valueFrom")) {
            // Only literal values are expanded, against what is defined so far (secret-derived
            // parts make the result secret too).
            bool uses_secret = false;
            auto defined = [&](const std::string& ref) -> std::optional<std::string> {
                auto it = index_.find(ref);
                if (it == index_.end())
                    return std::nullopt;
                uses_secret = uses_secret || env_.vars[it->second].from_secret;
                return env_.vars[it->second].value;
            };
            std::string value = expand_env_references(entry.value("value", ""), defined);
            set(name, std::move(value), uses_secret);
            return {};
        }
        const json& from = entry["valueFrom"];
        auto context = fmt::format("env var {}", name);
        if (from.contains("configMapKeyRef"))
            return key_ref(name, Kind::config_map, from["configMapKeyRef"]).wrap(context);
        if (from.contains("secretKeyRef"))
            return key_ref(name, Kind::secret, from["secretKeyRef"]).wrap(context);
        if (from.contains("fieldRef"))
            return field_ref(name, from["fieldRef"].value("fieldPath", "")).wrap(context);
        if (from.contains("resourceFieldRef"))
            return resource_field_ref(name, from["resourceFieldRef"]).wrap(context);
        return fail("{}: unsupported valueFrom {}", context, from.dump());
    }

    Status key_ref(const std::string& name, Kind kind, const json& ref) {
        std::string object = ref.value("name", "");
        std::string key = ref.value("key", "");
        bool optional = ref.value("optional", false);
        MIRRORD_TRY_ASSIGN(auto data, data_of(kind, object));
        if (!data) {
            if (optional)
                return {};
            return fail("{} \"{}\" not found in namespace \"{}\"", kind_name(kind), object,
                        namespace_);
        }
        auto it = data->find(key);
        if (it == data->end()) {
            if (optional)
                return {};
            return fail("key \"{}\" not found in {} \"{}\" in namespace \"{}\"", key,
                        kind_name(kind), object, namespace_);
        }
        set(name, it->second, kind == Kind::secret);
        return {};
    }

    Status field_ref(const std::string& name, const std::string& path);
    Status resource_field_ref(const std::string& name, const json& ref);

    const json& pod_;
    const json& container_;
    const EnvSources& sources_;
    const PodEnvOptions& options_;
    std::string namespace_;
    ResolvedEnv env_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::optional<std::map<std::string, std::string>>> config_maps_, secrets_;
};

// The IPs of status.podIPs / status.hostIPs joined by ",", else the single-IP field.
std::string joined_ips(const json& pod, const char* list, const char* single) {
    std::vector<std::string> ips;
    if (pod.contains("status") && pod["status"].contains(list)) {
        for (const auto& entry : pod["status"][list])
            ips.push_back(entry.value("ip", ""));
    }
    if (ips.empty())
        return string_at(pod, json::json_pointer(std::string("/status/") + single));
    return join(ips, ",");
}

// metadata.labels['k'] / metadata.annotations['k'] -> ("labels", "k").
std::optional<std::pair<std::string, std::string>> subscript(const std::string& path) {
    for (const char* map : {"labels", "annotations"}) {
        std::string opening = fmt::format("metadata.{}['", map);
        if (path.starts_with(opening) && path.ends_with("']") &&
            path.size() > opening.size() + 2)
            return std::pair{std::string(map),
                             path.substr(opening.size(), path.size() - opening.size() - 2)};
    }
    return std::nullopt;
}

Status Resolver::field_ref(const std::string& name, const std::string& path) {
    using pointer = json::json_pointer;
    std::string value;
    if (auto keyed = subscript(path)) {
        // A missing label or annotation gives "", as in the kubelet.
        const json& metadata = pod_.contains("metadata") ? pod_["metadata"] : json::object();
        if (metadata.contains(keyed->first) && metadata[keyed->first].contains(keyed->second))
            value = scalar_text(metadata[keyed->first][keyed->second]);
        set(name, value, false);
        return {};
    }
    static const std::map<std::string, std::string> simple = {
        {"metadata.name", "/metadata/name"},       {"metadata.uid", "/metadata/uid"},
        {"spec.nodeName", "/spec/nodeName"},       {"status.hostIP", "/status/hostIP"},
        {"status.podIP", "/status/podIP"},
    };
    if (path == "metadata.namespace") {
        value = namespace_;
    } else if (path == "spec.serviceAccountName") {
        value = string_at(pod_, pointer("/spec/serviceAccountName"));
        if (value.empty()) // admission sets "default" on every pod created without one
            value = "default";
    } else if (path == "status.podIPs") {
        value = joined_ips(pod_, "podIPs", "podIP");
    } else if (path == "status.hostIPs") {
        value = joined_ips(pod_, "hostIPs", "hostIP");
    } else if (auto it = simple.find(path); it != simple.end()) {
        value = string_at(pod_, pointer(it->second));
    } else {
        return fail("unsupported fieldRef fieldPath \"{}\"", path);
    }
    if (value.empty())
        env_.warnings.push_back(fmt::format(
            "env var {}: fieldRef {} is empty (not set on this pod yet)", name, path));
    set(name, value, false);
    return {};
}

Status Resolver::resource_field_ref(const std::string& name, const json& ref) {
    std::string resource = ref.value("resource", "");
    std::string divisor = ref.contains("divisor") ? scalar_text(ref["divisor"]) : "1";
    const json* target = &container_;
    if (std::string other = ref.value("containerName", ""); !other.empty()) {
        target = find_container(pod_, other);
        if (target == nullptr)
            return fail("resourceFieldRef: container \"{}\" not found", other);
    }
    auto dot = resource.find('.');
    std::string section = resource.substr(0, dot);
    std::string kind = dot == std::string::npos ? "" : resource.substr(dot + 1);
    if ((section != "limits" && section != "requests") ||
        (kind != "cpu" && kind != "memory" && kind != "ephemeral-storage"))
        return fail("unsupported resourceFieldRef resource \"{}\"", resource);

    const json resources = target->value("resources", json::object());
    auto quantity_in = [&](const char* part) -> std::optional<std::string> {
        if (resources.contains(part) && resources[part].contains(kind))
            return scalar_text(resources[part][kind]);
        return std::nullopt;
    };
    auto quantity = quantity_in(section.c_str());
    if (!quantity && section == "requests") // API defaulting: requests default to limits
        quantity = quantity_in("limits");
    if (!quantity && section == "requests")
        quantity = "0";
    if (!quantity && options_.node_allocatable && options_.node_allocatable->contains(kind))
        quantity = scalar_text((*options_.node_allocatable)[kind]); // the kubelet's fallback
    if (!quantity) {
        env_.warnings.push_back(fmt::format(
            "env var {}: {} is not set and the node's allocatable {} is unknown; left empty",
            name, resource, kind));
        set(name, "", false);
        return {};
    }
    MIRRORD_TRY_ASSIGN(auto value, resource_value(resource, *quantity, divisor));
    set(name, value, false);
    return {};
}

} // namespace

Result<ResolvedEnv> resolve_container_env(const json& pod, const std::string& container,
                                          const EnvSources& sources,
                                          const PodEnvOptions& options) {
    try {
        const json* spec = find_container(pod, container);
        if (spec == nullptr)
            return fail("container \"{}\" not found in pod \"{}\" (containers: {})", container,
                        string_at(pod, json::json_pointer("/metadata/name")),
                        join(container_names(pod), ", "));
        return Resolver(pod, *spec, sources, options).run();
    } catch (const json::exception& e) {
        // A field of the wrong type outside env/envFrom (hand-written manifests): name the pod
        // and the cause, do not throw.
        return fail("malformed pod \"{}\": {}",
                    string_member(object_member(pod, "metadata"), "name"), e.what());
    }
}

} // namespace mirrord::kube
