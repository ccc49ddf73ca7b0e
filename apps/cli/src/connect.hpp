// The real vendor connection for the command line (embark's HTTPS client).
#pragma once

#include "context.hpp"

namespace embark::cli {

/// Builds ClientOptions from the settings (endpoint, credentials, workspace, CA file, deadlines)
/// and makes embark's real connection on `executor`.
Result<std::shared_ptr<WisdomConnection>> connect_to_vendor(const Settings& settings,
                                                            boost::asio::any_io_executor executor);

/// The services main() uses: the real connection and embark's own input checks.
Services library_services();

}  // namespace embark::cli
