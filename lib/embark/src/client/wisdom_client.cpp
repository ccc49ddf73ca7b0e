#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "embark/client.hpp"
#include "embark/log.hpp"

#include "internal/client/blocking.hpp"
#include "internal/core/strand.hpp"

namespace embark {
namespace detail {

namespace asio = boost::asio;

struct ClientState {
  std::shared_ptr<WisdomConnection> connection;
  asio::any_io_executor executor;
  // Shared with the thread, so that a last client copy dropped on the I/O thread itself can
  // detach and leave the io_context alive until run() returns.
  std::shared_ptr<asio::io_context> own_context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;

  ~ClientState() {
    if (!own_context) return;
    work.reset();
    own_context->stop();
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else if (thread.joinable()) {
      thread.join();
    }
    // The connection's sockets and timers belong to own_context: they must go first (members
    // would be destroyed in the opposite order, closing sockets of a destroyed io_context).
    connection.reset();
  }
};

asio::any_io_executor client_executor(const ClientState& state) { return state.executor; }

asio::any_io_executor operation_executor(const ClientState& state) {
  return internal::make_private_strand(state.executor);
}

std::shared_ptr<WisdomConnection> client_connection(const ClientState& state) {
  return state.connection;
}

std::optional<Error> blocking_call_check(const ClientState& state, const char* operation) {
  auto error = internal::blocking_call_check(
      state.own_context ? asio::any_io_executor(state.own_context->get_executor()) : state.executor,
      "WisdomClient call", "the async_ form (e.g. with use_awaitable)");
  if (error) error->with_operation(operation);
  return error;
}

Error error_from_exception(const std::exception_ptr& ep, const char* operation) {
  try {
    std::rethrow_exception(ep);
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      return Error(ErrorCode::cancelled, "the call was cancelled").with_operation(operation);
    }
    return Error(ErrorCode::internal, std::string("unexpected exception: ") + e.what())
        .with_operation(operation);
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("unexpected exception: ") + e.what())
        .with_operation(operation);
  } catch (...) {
    return Error(ErrorCode::internal, "unexpected exception").with_operation(operation);
  }
}

}  // namespace detail

WisdomClient::WisdomClient(std::shared_ptr<WisdomConnection> connection)
    : state_(std::make_shared<detail::ClientState>()) {
  state_->connection = std::move(connection);
  state_->own_context = std::make_shared<boost::asio::io_context>(1);
  state_->executor = state_->own_context->get_executor();
  state_->work.emplace(state_->own_context->get_executor());
  state_->thread = std::thread([context = state_->own_context] {
    try {
      context->run();
    } catch (const std::exception& e) {
      logf(LogLevel::error, "client", "the client's I/O thread stopped on an exception: {}",
           e.what());
    }
  });
}

WisdomClient::WisdomClient(std::shared_ptr<WisdomConnection> connection,
                           boost::asio::any_io_executor executor)
    : state_(std::make_shared<detail::ClientState>()) {
  state_->connection = std::move(connection);
  state_->executor = std::move(executor);
}

void WisdomClient::set_connection(std::shared_ptr<WisdomConnection> connection) {
  state_->connection = std::move(connection);
}

boost::asio::any_io_executor WisdomClient::get_executor() const { return state_->executor; }

std::shared_ptr<WisdomConnection> WisdomClient::connection() const { return state_->connection; }

}  // namespace embark
