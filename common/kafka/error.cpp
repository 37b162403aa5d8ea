#include "common/kafka/error.hpp"

#include <array>

#include "common/kafka/handles.hpp"

namespace mirrord::kafka {

KafkaError KafkaError::from(std::string_view what, rd_kafka_error_t* error) {
    ErrorPtr owned(error);
    return of(what, error);
}

KafkaError KafkaError::of(std::string_view what, const rd_kafka_error_t* error) {
    Classes classes{.retriable = rd_kafka_error_is_retriable(error) != 0,
                    .txn_requires_abort = rd_kafka_error_txn_requires_abort(error) != 0,
                    .fatal = rd_kafka_error_is_fatal(error) != 0};
    std::string message = classes.fatal
                              ? fmt::format("{}: fatal: {}", what, rd_kafka_error_string(error))
                              : fmt::format("{}: {}", what, rd_kafka_error_string(error));
    return KafkaError(std::move(message), rd_kafka_error_code(error), classes);
}

KafkaError KafkaError::from(std::string_view what, rd_kafka_resp_err_t code,
                            rd_kafka_t* client) {
    if (code == RD_KAFKA_RESP_ERR__FATAL && client != nullptr) {
        std::array<char, 512> reason{};
        rd_kafka_resp_err_t cause = rd_kafka_fatal_error(client, reason.data(), reason.size());
        // No fatal error recorded (cannot happen per librdkafka's docs): keep __FATAL itself.
        if (cause != RD_KAFKA_RESP_ERR_NO_ERROR)
            return KafkaError(fmt::format("{}: fatal: {}", what, reason.data()), cause,
                              {.fatal = true});
    }
    return KafkaError(fmt::format("{}: {}", what, rd_kafka_err2str(code)), code,
                      {.retriable = is_retriable(code),
                       .fatal = code == RD_KAFKA_RESP_ERR__FATAL});
}

bool KafkaError::fenced() const {
    switch (code_) {
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        return true;
    default:
        return false;
    }
}

KafkaError KafkaError::local(Error error) {
    return KafkaError(error.message(), RD_KAFKA_RESP_ERR__INVALID_ARG, {});
}

bool is_retriable(rd_kafka_resp_err_t code) {
    switch (code) {
    // Local: connections, timeouts, metadata not known yet.
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    // Broker: the errors Kafka's protocol marks retriable that a client meets in practice.
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
    case RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
        return true;
    default:
        return false;
    }
}

} // namespace mirrord::kafka
