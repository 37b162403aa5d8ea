#include "common/kafka/producer.hpp"

#include <array>
#include <vector>

namespace mirrord::kafka {
namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

// librdkafka's produceva takes mutable pointers but copies the bytes (RD_KAFKA_MSG_F_COPY).
void* bytes(const std::string& text) { return const_cast<char*>(text.data()); }

} // namespace

Result<Producer> Producer::create(const Properties& properties) {
    MIRRORD_TRY_ASSIGN(ConfPtr conf, make_conf(properties).wrap("creating kafka producer"));
    auto deliveries = std::make_unique<Deliveries>();
    rd_kafka_conf_set_opaque(conf.get(), deliveries.get());
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::on_delivery);
    std::array<char, 512> errstr{};
    // rd_kafka_new takes ownership of the conf only when it succeeds.
    ClientPtr handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
    if (!handle)
        return fail("creating kafka producer: {}", errstr.data());
    conf.release();
    return Producer(std::move(deliveries), std::move(handle));
}

Producer::~Producer() {
    if (handle_)
        rd_kafka_flush(handle_.get(), 2000);
}

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) noexcept {
    auto* deliveries = static_cast<Deliveries*>(opaque);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR || deliveries->first_error)
        return;
    try {
        deliveries->first_error = fmt::format("delivering to {}: {}",
                                              rd_kafka_topic_name(message->rkt),
                                              rd_kafka_err2str(message->err));
    } catch (...) {
        // Nothing may throw through librdkafka; the failure then shows as a missing record.
    }
}

Status Producer::produce(const OutgoingMessage& message) {
    std::vector<rd_kafka_vu_t> args;
    auto add = [&args](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
        args.push_back(rd_kafka_vu_t{});
        args.back().vtype = type;
        return args.back();
    };
    add(RD_KAFKA_VTYPE_TOPIC).u.cstr = message.topic.c_str();
    add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
    auto& value = add(RD_KAFKA_VTYPE_VALUE).u.mem;
    value = {bytes(message.value), message.value.size()};
    if (message.key) {
        auto& key = add(RD_KAFKA_VTYPE_KEY).u.mem;
        key = {bytes(*message.key), message.key->size()};
    }
    if (message.partition)
        add(RD_KAFKA_VTYPE_PARTITION).u.i32 = *message.partition;
    for (const auto& header : message.headers) {
        auto& entry = add(RD_KAFKA_VTYPE_HEADER).u.header;
        // A null value pointer makes a null-valued header.
        entry = {header.name.c_str(), header.value ? header.value->data() : nullptr,
                 header.value ? static_cast<ssize_t>(header.value->size()) : 0};
    }
    if (rd_kafka_error_t* error = rd_kafka_produceva(handle_.get(), args.data(), args.size()))
        return error_from(fmt::format("producing to {}", message.topic), error);
    // Serve delivery callbacks of earlier records without blocking.
    rd_kafka_poll(handle_.get(), 0);
    return {};
}

Status Producer::flush(std::chrono::milliseconds timeout) {
    rd_kafka_resp_err_t code = rd_kafka_flush(handle_.get(), to_ms(timeout));
    if (deliveries_->first_error) {
        Error error(*std::exchange(deliveries_->first_error, std::nullopt));
        return error;
    }
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
        return error_from("flushing kafka producer", code);
    return {};
}

Status Producer::init_transactions(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_init_transactions(handle_.get(), to_ms(timeout)))
        return error_from("initializing kafka transactions", error);
    return {};
}

Status Producer::begin_transaction() {
    if (rd_kafka_error_t* error = rd_kafka_begin_transaction(handle_.get()))
        return error_from("beginning kafka transaction", error);
    return {};
}

Status Producer::commit_transaction(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_commit_transaction(handle_.get(), to_ms(timeout)))
        return error_from("committing kafka transaction", error);
    if (deliveries_->first_error)
        return Error(*std::exchange(deliveries_->first_error, std::nullopt));
    return {};
}

Status Producer::abort_transaction(std::chrono::milliseconds timeout) {
    if (rd_kafka_error_t* error = rd_kafka_abort_transaction(handle_.get(), to_ms(timeout)))
        return error_from("aborting kafka transaction", error);
    // Records of an aborted transaction fail delivery with "purged"; that is the point.
    deliveries_->first_error.reset();
    return {};
}

} // namespace mirrord::kafka
