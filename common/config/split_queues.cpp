// `feature.split_queues`: mirrord's map form {id: entry} and list form [{queue_id, ...}].
#include "common/config/parse.hpp"
#include "common/config/values.hpp"

namespace mirrord::config {
namespace {

Result<QueueMode> read_mode(const json& value, std::string_view path) {
    MIRRORD_TRY_ASSIGN(auto text, read_string(value, path));
    if (text == "steal")
        return QueueMode::steal;
    if (text == "mirror")
        return QueueMode::mirror;
    return key_error(path, "unknown queue mode `{}`, expected `steal` or `mirror`", text);
}

// One entry's fields; `path` is "feature.split_queues.<id>" in both forms.
Result<QueueSplit> read_entry(const json& entry, std::string id, std::string_view path) {
    if (!entry.is_object())
        return key_error(path, "invalid type: expected an object, found {}", type_name(entry));
    QueueSplit split;
    split.id = std::move(id);
    const json* type = member(entry, "queue_type");
    if (!type)
        return key_error(path, "missing `queue_type` (for example \"Kafka\")");
    MIRRORD_TRY_ASSIGN(split.queue_type, read_string(*type, child_path(path, "queue_type")));
    if (const json* filter = member(entry, "message_filter")) {
        MIRRORD_TRY_ASSIGN(split.message_filter,
                           read_string_map(*filter, child_path(path, "message_filter")));
    }
    if (const json* mode = member(entry, "queue_mode")) {
        MIRRORD_TRY_ASSIGN(split.mode, read_mode(*mode, child_path(path, "queue_mode")));
    }
    if (const json* jq = member(entry, "jq_filter")) {
        MIRRORD_TRY_ASSIGN(auto program, read_string(*jq, child_path(path, "jq_filter")));
        split.jq_filter = std::move(program);
    }
    split.has_payload_protobuf = member(entry, "payload_protobuf") != nullptr;
    return split;
}

Result<std::vector<QueueSplit>> read_list_form(const json& list, std::string_view path) {
    std::vector<QueueSplit> splits;
    for (size_t i = 0; i < list.size(); ++i) {
        auto item_path = fmt::format("{}[{}]", path, i);
        const json* id = member(list[i], "queue_id");
        if (!list[i].is_object() || !id)
            return key_error(item_path, "a list entry needs `queue_id` and `queue_type`");
        MIRRORD_TRY_ASSIGN(auto name, read_string(*id, child_path(item_path, "queue_id")));
        MIRRORD_TRY_ASSIGN(auto split, read_entry(list[i], name, child_path(path, name)));
        splits.push_back(std::move(split));
    }
    return splits;
}

} // namespace

Result<std::vector<QueueSplit>> parse_split_queues(const json& value, std::string_view path) {
    if (value.is_array())
        return read_list_form(value, path);
    if (!value.is_object())
        return key_error(path, "invalid type: expected a map of queue ids or a list, found {}",
                         type_name(value));
    std::vector<QueueSplit> splits;
    for (const auto& [id, entry] : value.items()) {
        MIRRORD_TRY_ASSIGN(auto split, read_entry(entry, id, child_path(path, id)));
        splits.push_back(std::move(split));
    }
    return splits;
}

} // namespace mirrord::config
