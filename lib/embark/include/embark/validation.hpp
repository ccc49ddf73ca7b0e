// Validation of onboarding input before any vendor call; every error names the field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "embark/model.hpp"
#include "embark/request.hpp"
#include "embark/result.hpp"

namespace embark {

/// Limits and policy. Plain value type; immutable once given to an Onboarder.
struct ValidationPolicy {
  std::size_t max_email_length = 254;  ///< RFC 5321 path limit
  std::size_t max_attribute_key_length = 64;
  std::size_t max_attribute_value_length = 1024;
  std::size_t max_attributes = 128;  ///< per map (stored, session)
  std::size_t max_id_length = 128;   ///< workspace, group, scope and embed ids
  std::size_t max_display_name_length = 256;
  /// Deny by default: onboarding is refused unless every key here is present in the stored or
  /// session attributes (e.g. "tenant_id", so no user is ever sent without row-level security).
  std::vector<std::string> required_attribute_keys;
};

/// The reserved session attribute key (the vendor protects this claim).
inline constexpr std::string_view kImpersonatedUserIdKey = "impersonated_user_id";

/// Email syntax (one '@', dot-atom local part <= 64, host name labels) and length.
Result<void> validate_email(std::string_view email, std::string_view field = "email",
                            std::size_t max_length = 254);

/// Attribute keys match [A-Za-z_][A-Za-z0-9_.:-]* within the key limit; values are UTF-8 within
/// the value limit, free of control characters. Errors name "<field>.<key>" (or "<field>").
Result<void> validate_attributes(const AttributeMap& attributes, std::string_view field,
                                 const ValidationPolicy& policy = {});

/// The whole request: email, workspace, roles (preset or UUID; field "roles[i].role_id"),
/// scopes, attributes, session attributes (reserved key refused), groups, display name,
/// embed target, required attribute keys.
Result<void> validate_request(const OnboardRequest& request, const ValidationPolicy& policy = {});

/// A validated copy ready for the pipeline: role preset names resolved to ids, the display
/// name folded into the `display_name` attribute (a conflicting value is an error).
Result<OnboardRequest> normalize_request(const OnboardRequest& request,
                                         const ValidationPolicy& policy = {});
/// normalize_request() of a request the caller gives up: normalized in place, no copy.
Result<OnboardRequest> normalize_request(OnboardRequest&& request,
                                         const ValidationPolicy& policy = {});

/// Tenant-safe plus-address: tenant_email("alice@example.com", "Tenant123") ==
/// "alice+tenant123@example.com". Both inputs validated (fields "email", "tenant";
/// tenant = [A-Za-z0-9_-]{1,64}, its case folded so tenants differing only in case cannot share
/// a user); the result must still be a valid email. Idempotent: an email already tagged for this
/// tenant comes back with the tag folded; one carrying any other +tag is refused (field "email").
Result<std::string> tenant_email(std::string_view email, std::string_view tenant);

}  // namespace embark
