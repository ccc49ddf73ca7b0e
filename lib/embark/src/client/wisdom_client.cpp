#include <memory>
#include <utility>

#include "embark/client.hpp"

namespace embark {
namespace detail {

struct ClientState {
  // The runtime first: members go in the opposite order, and the connection's sockets and timers
  // belong to the runtime's io_context, so they must go while it still exists.
  Runtime runtime;
  std::shared_ptr<WisdomConnection> connection;

  explicit ClientState(std::shared_ptr<WisdomConnection> c) : connection(std::move(c)) {}
  ClientState(std::shared_ptr<WisdomConnection> c, boost::asio::any_io_executor executor)
      : runtime(std::move(executor)), connection(std::move(c)) {}
  ClientState(const ClientState&) = delete;
  ClientState& operator=(const ClientState&) = delete;

  ~ClientState() {
    // The thread ends before the connection goes, so that none of its handlers is still using it.
    runtime.stop();
    connection.reset();
  }
};

const Runtime& client_runtime(const ClientState& state) { return state.runtime; }

}  // namespace detail

WisdomClient::WisdomClient(std::shared_ptr<WisdomConnection> connection)
    : state_(std::make_shared<detail::ClientState>(std::move(connection))) {}

WisdomClient::WisdomClient(std::shared_ptr<WisdomConnection> connection,
                           boost::asio::any_io_executor executor)
    : state_(std::make_shared<detail::ClientState>(std::move(connection), std::move(executor))) {}

void WisdomClient::set_connection(std::shared_ptr<WisdomConnection> connection) {
  state_->connection = std::move(connection);
}

boost::asio::any_io_executor WisdomClient::get_executor() const {
  return state_->runtime.executor();
}

std::shared_ptr<WisdomConnection> WisdomClient::connection() const { return state_->connection; }

}  // namespace embark
