#include "common/kafka/consumer.hpp"

#include <array>

#include "common/core/log.hpp"

namespace mirrord::kafka {
namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

std::string topic_of(const rd_kafka_message_t* message) {
    return message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : "kafka";
}

// A consumer error as a KafkaError, with the record's more specific text when there is one.
KafkaError consumer_error(rd_kafka_t* handle, const rd_kafka_message_t* message) {
    std::string what = fmt::format("consuming from {}", topic_of(message));
    if (message->err == RD_KAFKA_RESP_ERR__FATAL)
        return KafkaError::from(what, message->err, handle);
    return KafkaError(fmt::format("{}: {}", what, rd_kafka_message_errstr(message)), message->err,
                      {.retriable = is_retriable(message->err)});
}

// Checks the per-partition errors of a list librdkafka filled in.
KafkaStatus check_partitions(std::string_view what, const rd_kafka_topic_partition_list_t* list) {
    for (int i = 0; i < list->cnt; ++i) {
        const rd_kafka_topic_partition_t& entry = list->elems[i];
        if (entry.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return KafkaError::from(
                fmt::format("{} of {} [{}]", what, entry.topic, entry.partition), entry.err);
    }
    return {};
}

} // namespace

KafkaResult<Consumer> Consumer::create(const Properties& properties,
                                       RebalanceCallback on_rebalance) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka consumer"));
    auto callbacks = std::make_unique<Callbacks>(Callbacks{std::move(on_rebalance)});
    rd_kafka_conf_set_opaque(conf.get(), callbacks.get());
    // Always ours: it does the (incremental) assign librdkafka requires of a rebalance callback.
    rd_kafka_conf_set_rebalance_cb(conf.get(), &Consumer::on_rebalance);
    MIRRORD_TRY_ASSIGN(rd_kafka_t * client,
                       new_client(RD_KAFKA_CONSUMER, conf, "creating kafka consumer"));
    ConsumerPtr handle(client);
    // Route the main queue (errors, rebalances) to consumer_poll, so one poll serves all.
    rd_kafka_poll_set_consumer(handle.get());
    return Consumer(std::move(callbacks), std::move(handle));
}

Consumer& Consumer::operator=(Consumer&& other) noexcept {
    if (this != &other) {
        // The old handle's close() calls back into the old callbacks: end it first.
        handle_.reset();
        callbacks_ = std::move(other.callbacks_);
        handle_ = std::move(other.handle_);
    }
    return *this;
}

KafkaStatus Consumer::subscribe(const std::vector<std::string>& topics) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& topic : topics)
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t code = rd_kafka_subscribe(handle_.get(), list.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("subscribing to kafka topics", code, handle_.get());
    return {};
}

KafkaStatus Consumer::assign(const TopicPartitions& partitions) {
    PartitionListPtr list = to_list(partitions);
    for (int i = 0; i < list->cnt; ++i)
        if (list->elems[i].offset == RD_KAFKA_OFFSET_INVALID)
            list->elems[i].offset = RD_KAFKA_OFFSET_STORED;
    rd_kafka_resp_err_t code = rd_kafka_assign(handle_.get(), list.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("assigning kafka partitions", code, handle_.get());
    return {};
}

KafkaResult<ConsumerEvent> Consumer::poll(std::chrono::milliseconds timeout) {
    MessagePtr message(rd_kafka_consumer_poll(handle_.get(), to_ms(timeout)));
    if (!message) {
        // With an error_cb set, a fatal error reaches only that callback; ask for it here.
        std::array<char, 8> unused{};
        if (rd_kafka_fatal_error(handle_.get(), unused.data(), unused.size()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            return KafkaError::from("consuming from kafka", RD_KAFKA_RESP_ERR__FATAL,
                                    handle_.get());
        return ConsumerEvent(Idle{});
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return ConsumerEvent(to_message(message.get()));
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return ConsumerEvent(PartitionEnd{topic_of(message.get()), message->partition,
                                          message->offset});
    KafkaError error = consumer_error(handle_.get(), message.get());
    if (error.fatal())
        return error;
    return ConsumerEvent(std::in_place_type<KafkaError>, std::move(error));
}

KafkaResult<std::optional<Message>> Consumer::poll_message(std::chrono::milliseconds timeout) {
    MIRRORD_TRY_ASSIGN(ConsumerEvent event, poll(timeout));
    if (auto* message = std::get_if<Message>(&event))
        return std::optional<Message>(std::move(*message));
    if (auto* error = std::get_if<KafkaError>(&event))
        log::warn("{}", error->message());
    return std::optional<Message>();
}

KafkaStatus Consumer::commit() {
    rd_kafka_resp_err_t code = rd_kafka_commit(handle_.get(), nullptr, 0);
    // Nothing consumed yet is not a failure.
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET)
        return KafkaError::from("committing kafka offsets", code, handle_.get());
    return {};
}

KafkaStatus Consumer::commit(const TopicPartitions& offsets) {
    PartitionListPtr list = to_list(offsets);
    rd_kafka_resp_err_t code = rd_kafka_commit(handle_.get(), list.get(), 0);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("committing kafka offsets", code, handle_.get());
    return check_partitions("committing kafka offsets", list.get());
}

KafkaResult<TopicPartitions> Consumer::assignment() const {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    rd_kafka_resp_err_t code = rd_kafka_assignment(handle_.get(), &raw);
    PartitionListPtr list(raw);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("reading kafka assignment", code, handle_.get());
    return from_list(list.get());
}

KafkaResult<TopicPartitions> Consumer::committed(const TopicPartitions& partitions,
                                                 std::chrono::milliseconds timeout) const {
    PartitionListPtr list = to_list(partitions);
    rd_kafka_resp_err_t code = rd_kafka_committed(handle_.get(), list.get(), to_ms(timeout));
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("reading committed kafka offsets", code, handle_.get());
    MIRRORD_TRY(check_partitions("reading committed kafka offsets", list.get()));
    return from_list(list.get());
}

KafkaResult<TopicPartitions> Consumer::positions() const {
    MIRRORD_TRY_ASSIGN(TopicPartitions assigned, assignment());
    PartitionListPtr list = to_list(assigned);
    rd_kafka_resp_err_t code = rd_kafka_position(handle_.get(), list.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("reading kafka positions", code, handle_.get());
    return with_offsets(from_list(list.get()));
}

KafkaResult<GroupMetadataPtr> Consumer::group_metadata() const {
    GroupMetadataPtr metadata(rd_kafka_consumer_group_metadata(handle_.get()));
    if (!metadata)
        return fail("reading kafka consumer group metadata: not a group consumer");
    return metadata;
}

KafkaStatus Consumer::close() {
    // After a fatal error, closing would make the destructor hang (see ConsumerDeleter).
    std::array<char, 8> unused{};
    if (rd_kafka_fatal_error(handle_.get(), unused.data(), unused.size()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("closing kafka consumer", RD_KAFKA_RESP_ERR__FATAL, handle_.get());
    rd_kafka_resp_err_t code = rd_kafka_consumer_close(handle_.get());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("closing kafka consumer", code, handle_.get());
    return {};
}

} // namespace mirrord::kafka
