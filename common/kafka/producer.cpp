#include "common/kafka/producer.hpp"

#include <vector>

namespace mirrord::kafka {
namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

// librdkafka's produceva takes mutable pointers but copies the bytes (RD_KAFKA_MSG_F_COPY).
void* bytes(const std::string& text) { return const_cast<char*>(text.data()); }

// The record's headers as a list of ours (nullptr for none). Passed whole (VTYPE_HEADERS), not
// one by one (VTYPE_HEADER): librdkafka before 2.6 frees the latter twice when the partitioner
// refuses the record (its topic deleted, or without that partition; librdkafka #4627), while
// a list of ours stays ours when produceva fails, and becomes librdkafka's when it succeeds.
HeadersPtr headers_of(const OutgoingMessage& message) {
    if (message.headers.empty())
        return nullptr;
    HeadersPtr headers(rd_kafka_headers_new(message.headers.size()));
    for (const auto& header : message.headers)
        // A null value pointer makes a null-valued header.
        rd_kafka_header_add(headers.get(), header.name.data(),
                            static_cast<ssize_t>(header.name.size()),
                            header.value ? header.value->data() : nullptr,
                            header.value ? static_cast<ssize_t>(header.value->size()) : 0);
    return headers;
}

// produceva's argument list for one record; it points into `message` and `headers`, which must
// outlive it.
std::vector<rd_kafka_vu_t> arguments_of(const OutgoingMessage& message,
                                        rd_kafka_headers_t* headers) {
    std::vector<rd_kafka_vu_t> args;
    auto add = [&args](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
        args.push_back(rd_kafka_vu_t{});
        args.back().vtype = type;
        return args.back();
    };
    add(RD_KAFKA_VTYPE_TOPIC).u.cstr = message.topic.c_str();
    add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
    // No VALUE/KEY argument at all makes a null one; an empty string stays empty.
    if (message.value) {
        auto& value = add(RD_KAFKA_VTYPE_VALUE).u.mem;
        value = {bytes(*message.value), message.value->size()};
    }
    if (message.key) {
        auto& key = add(RD_KAFKA_VTYPE_KEY).u.mem;
        key = {bytes(*message.key), message.key->size()};
    }
    if (message.partition)
        add(RD_KAFKA_VTYPE_PARTITION).u.i32 = *message.partition;
    if (message.timestamp_ms)
        add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = *message.timestamp_ms;
    if (headers)
        add(RD_KAFKA_VTYPE_HEADERS).u.headers = headers;
    return args;
}

} // namespace

KafkaResult<Producer> Producer::create(const Properties& properties) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka producer"));
    auto deliveries = std::make_unique<Deliveries>();
    rd_kafka_conf_set_opaque(conf.get(), deliveries.get());
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::on_delivery);
    MIRRORD_TRY_ASSIGN(rd_kafka_t * client,
                       new_client(RD_KAFKA_PRODUCER, conf, "creating kafka producer"));
    return Producer(std::move(deliveries), ClientPtr(client));
}

Producer& Producer::operator=(Producer&& other) noexcept {
    if (this != &other) {
        // Our handle's last delivery callbacks write to our Deliveries: end it first.
        close();
        deliveries_ = std::move(other.deliveries_);
        handle_ = std::move(other.handle_);
    }
    return *this;
}

Producer::~Producer() { close(); }

void Producer::close() noexcept {
    if (!handle_)
        return; // moved from
    rd_kafka_flush(handle_.get(), to_ms(close_timeout));
    handle_.reset();
}

void Producer::on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message,
                           void* opaque) noexcept {
    auto* deliveries = static_cast<Deliveries*>(opaque);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR || deliveries->first_error)
        return;
    try {
        deliveries->first_error = KafkaError::from(
            fmt::format("delivering to {}", rd_kafka_topic_name(message->rkt)), message->err,
            handle);
    } catch (...) {
        // Nothing may throw through librdkafka; the failure then shows as a missing record.
    }
}

KafkaStatus Producer::take_delivery_error() {
    if (!deliveries_->first_error)
        return {};
    KafkaError error = std::move(*deliveries_->first_error);
    deliveries_->first_error.reset();
    return error;
}

KafkaStatus Producer::produce(const OutgoingMessage& message) {
    HeadersPtr headers = headers_of(message);
    std::vector<rd_kafka_vu_t> args = arguments_of(message, headers.get());
    if (rd_kafka_error_t* error = rd_kafka_produceva(handle_.get(), args.data(), args.size()))
        return KafkaError::from(fmt::format("producing to {}", message.topic), error);
    (void)headers.release(); // the record's now
    // Serve delivery callbacks of earlier records without blocking.
    rd_kafka_poll(handle_.get(), 0);
    return {};
}

void Producer::poll(std::chrono::milliseconds timeout) {
    rd_kafka_poll(handle_.get(), to_ms(timeout));
}

KafkaStatus Producer::flush(std::chrono::milliseconds timeout) {
    rd_kafka_resp_err_t code = rd_kafka_flush(handle_.get(), to_ms(timeout));
    MIRRORD_TRY(take_delivery_error());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError::from("flushing kafka producer", code, handle_.get());
    return {};
}

KafkaStatus Producer::init_transactions(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_init_transactions(handle_.get(), to_ms(timeout)))
        return KafkaError::from("initializing kafka transactions", error);
    return {};
}

KafkaStatus Producer::begin_transaction() {
    if (rd_kafka_error_t* error = rd_kafka_begin_transaction(handle_.get()))
        return KafkaError::from("beginning kafka transaction", error);
    return {};
}

KafkaStatus Producer::send_offsets_to_transaction(const TopicPartitions& offsets,
                                                  const GroupMetadataPtr& group,
                                                  std::chrono::milliseconds timeout) {
    TopicPartitions valid = with_offsets(offsets);
    if (valid.empty())
        return {};
    if (!group)
        return fail("sending offsets to kafka transaction: no consumer group metadata");
    PartitionListPtr list = to_list(valid);
    if (rd_kafka_error_t* error = rd_kafka_send_offsets_to_transaction(
            handle_.get(), list.get(), group.get(), to_ms(timeout)))
        return KafkaError::from("sending offsets to kafka transaction", error);
    return {};
}

KafkaStatus Producer::commit_transaction(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_commit_transaction(handle_.get(), to_ms(timeout))) {
        // The delivery failure that made the commit fail, if any, is only the cause: drop it.
        deliveries_->first_error.reset();
        return KafkaError::from("committing kafka transaction", error);
    }
    return take_delivery_error();
}

void Producer::discard() noexcept {
    if (handle_)
        rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

KafkaStatus Producer::abort_transaction(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_abort_transaction(handle_.get(), to_ms(timeout)))
        return KafkaError::from("aborting kafka transaction", error);
    // Records of an aborted transaction fail delivery with "purged"; that is the point.
    deliveries_->first_error.reset();
    return {};
}

} // namespace mirrord::kafka
