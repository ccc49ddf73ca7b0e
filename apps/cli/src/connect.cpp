#include "connect.hpp"

#include <algorithm>

#include "embark/client.hpp"

#include "role_names.hpp"

namespace embark::cli {

Result<std::shared_ptr<WisdomConnection>> connect_to_vendor(const Settings& settings,
                                                            boost::asio::any_io_executor executor) {
  ClientOptions options;
  options.endpoint = settings.url;
  options.access_key = settings.access_key;
  options.api_token = settings.api_token;
  options.workspace_id = settings.workspace_id;
  options.transport.ca_file = settings.ca_file;
  options.transport.ca_pem = settings.ca_pem;
  options.call_deadline = settings.timeout;
  // One network step may not take the whole deadline, or retries would never get a turn.
  options.transport.operation_timeout =
      std::min<std::chrono::milliseconds>(options.transport.operation_timeout, settings.timeout);
  return make_wisdom_connection(std::move(options), std::move(executor));
}

Services library_services() {
  Services services;
  services.connect = connect_to_vendor;
  services.checks = library_checks();
  return services;
}

}  // namespace embark::cli
