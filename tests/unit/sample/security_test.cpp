// Password hashing, CSRF tokens, cookies, the Content-Security-Policy and private files of the
// sample server.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>

#include <doctest/doctest.h>

#include "cookies.hpp"
#include "csrf.hpp"
#include "password.hpp"
#include "private_file.hpp"
#include "random_token.hpp"
#include "security_headers.hpp"

using namespace embark::sample;

TEST_CASE("a password verifies against its own hash only") {
  std::string hash = hash_password("correct horse", kPbkdf2MinIterations);
  CHECK(hash.rfind("pbkdf2-sha256$100000$", 0) == 0);
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(verify_password("correct horse", hash));
  CHECK_FALSE(verify_password("correct horsE", hash));
  CHECK_FALSE(verify_password("", hash));
}

TEST_CASE("each hash has its own salt") {
  std::string a = hash_password("same", kPbkdf2MinIterations);
  std::string b = hash_password("same", kPbkdf2MinIterations);
  CHECK(a != b);
  CHECK(verify_password("same", a));
  CHECK(verify_password("same", b));
}

TEST_CASE("new hashes use the default iteration count") {
  CHECK(kPbkdf2Iterations >= 100'000);
  CHECK(hash_password("pw").rfind("pbkdf2-sha256$" + std::to_string(kPbkdf2Iterations) + "$", 0) ==
        0);
}

TEST_CASE("malformed, tampered or weak hashes never verify") {
  std::string hash = hash_password("pw", kPbkdf2MinIterations);
  std::string tampered = hash;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  CHECK_FALSE(verify_password("pw", tampered));
  CHECK_FALSE(verify_password("pw", ""));
  CHECK_FALSE(verify_password("pw", "pbkdf2-sha256$100000$zz$00"));
  CHECK_FALSE(verify_password("pw", "md5$100000$00$00"));
  CHECK_FALSE(verify_password("pw", hash + "$extra"));
  // The same salt and hash with a weaker iteration count is refused outright.
  std::string weak = hash;
  weak.replace(weak.find("100000"), 6, "1000");
  CHECK_FALSE(verify_password("pw", weak));
  CHECK_THROWS_AS(hash_password("pw", 1000), std::invalid_argument);
}

TEST_CASE("random tokens are 256-bit hex and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = make_csrf_token();
    CHECK(t.size() == 64);
    CHECK(t.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 100);
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("CSRF tokens match only exactly, and never when empty") {
  std::string t = make_csrf_token();
  CHECK(csrf_token_matches(t, t));
  CHECK_FALSE(csrf_token_matches(t, t.substr(0, 63)));
  CHECK_FALSE(csrf_token_matches(t, make_csrf_token()));
  CHECK_FALSE(csrf_token_matches("", ""));
  CHECK_FALSE(csrf_token_matches(t, ""));
}

TEST_CASE("the Origin check accepts only the app's own origin") {
  CHECK(origin_allowed("", "127.0.0.1:8080", false));
  CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false));
  CHECK_FALSE(origin_allowed("http://127.0.0.1:9090", "127.0.0.1:8080", false));
  CHECK_FALSE(origin_allowed("https://127.0.0.1:8080", "127.0.0.1:8080", false));
  CHECK(origin_allowed("https://app.example", "app.example", true));
  CHECK_FALSE(origin_allowed("null", "app.example", true));
  CHECK_FALSE(origin_allowed("http://app.example.evil", "app.example", false));
}

TEST_CASE("session cookie attributes") {
  CookieOptions options;
  std::string plain = make_set_cookie("sid", "abc123", options);
  CHECK(plain.rfind("sid=abc123; Path=/", 0) == 0);
  CHECK(plain.find("; HttpOnly") != std::string::npos);
  CHECK(plain.find("; SameSite=Lax") != std::string::npos);
  CHECK(plain.find("Secure") == std::string::npos);
  CHECK(plain.find("Max-Age") == std::string::npos);

  options.secure = true;
  options.same_site = SameSite::strict;
  options.max_age = std::chrono::seconds{3600};
  std::string secure = make_set_cookie("sid", "abc123", options);
  CHECK(secure.find("; Secure") != std::string::npos);
  CHECK(secure.find("; SameSite=Strict") != std::string::npos);
  CHECK(secure.find("; Max-Age=3600") != std::string::npos);

  std::string cleared = make_clear_cookie("sid", options);
  CHECK(cleared.rfind("sid=; ", 0) == 0);
  CHECK(cleared.find("; Max-Age=0") != std::string::npos);

  CHECK_THROWS_AS(make_set_cookie("sid", "a;b", {}), std::invalid_argument);
  CHECK_THROWS_AS(make_set_cookie("", "v", {}), std::invalid_argument);
}

TEST_CASE("cookies are found in a Cookie header") {
  CHECK(find_cookie("a=1; sid=xyz; b=2", "sid") == "xyz");
  CHECK(find_cookie("sid=first;sid=second", "sid") == "first");
  CHECK(find_cookie("xsid=1; sidx=2", "sid") == std::nullopt);
  CHECK(find_cookie("", "sid") == std::nullopt);
  CHECK(find_cookie("junk; sid = v ", "sid") == "v");
}

TEST_CASE("the CSP allows frames from the WisdomAI origin only") {
  std::string csp = content_security_policy("https://acme.wisdom.ai");
  CHECK(csp.find("frame-src https://acme.wisdom.ai;") != std::string::npos);
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  // frame-src appears once, with exactly one source.
  auto pos = csp.find("frame-src ");
  CHECK(csp.find("frame-src ", pos + 1) == std::string::npos);
  CHECK(csp.substr(pos, csp.find(';', pos) - pos) == "frame-src https://acme.wisdom.ai");

  CHECK(content_security_policy("http://127.0.0.1:4321").find("frame-src http://127.0.0.1:4321;") !=
        std::string::npos);
  CHECK_THROWS_AS(content_security_policy("https://acme.wisdom.ai/embed"), std::invalid_argument);
  CHECK_THROWS_AS(content_security_policy("acme.wisdom.ai"), std::invalid_argument);
  CHECK_THROWS_AS(content_security_policy("https://a.ai; script-src *"), std::invalid_argument);
  CHECK_THROWS_AS(content_security_policy("*"), std::invalid_argument);
}

TEST_CASE("every response gets the security headers") {
  Request request{http::verb::get, "/", 11};
  Response response = html_response(request, http::status::ok, "<p>hi</p>");
  apply_security_headers(response, "default-src 'self'");
  CHECK(response["Content-Security-Policy"] == "default-src 'self'");
  CHECK(response["X-Content-Type-Options"] == "nosniff");
  CHECK(response["X-Frame-Options"] == "DENY");
  CHECK(response["Referrer-Policy"] == "same-origin");
  CHECK(response[http::field::cache_control] == "no-store");

  Response cached = html_response(request, http::status::ok, "x");
  cached.set(http::field::cache_control, "no-cache");
  apply_security_headers(cached, "x");
  CHECK(cached[http::field::cache_control] == "no-cache");
}

TEST_CASE("private temp files: unpredictable names, mode 0600, whole content") {
  namespace fs = std::filesystem;
  auto a = write_private_temp_file("embark-test-ca", "-----BEGIN CERTIFICATE-----\n");
  auto b = write_private_temp_file("embark-test-ca", "second");
  CHECK(a != b);
  CHECK(a.filename().string().starts_with("embark-test-ca-"));
  CHECK(a.filename().string().size() == std::string("embark-test-ca-").size() + 6);
  CHECK(fs::status(a).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  std::ifstream in(b);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "second");
  fs::remove(a);
  fs::remove(b);
}

TEST_CASE("an atomic private write replaces a planted symlink instead of following it") {
  namespace fs = std::filesystem;
  fs::path dir = write_private_temp_file("embark-test-dir", "");
  fs::remove(dir);
  fs::create_directory(dir);
  fs::path victim = dir / "victim";
  { std::ofstream(victim) << "untouched"; }
  fs::path port_file = dir / "port";
  fs::create_symlink(victim, port_file);
  write_private_file_atomically(port_file, "8080\n");
  CHECK_FALSE(fs::is_symlink(port_file));
  std::ifstream port(port_file), kept(victim);
  std::string port_text((std::istreambuf_iterator<char>(port)), {});
  std::string victim_text((std::istreambuf_iterator<char>(kept)), {});
  CHECK(port_text == "8080\n");
  CHECK(victim_text == "untouched");
  CHECK(fs::status(port_file).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  // No temporary file is left behind in the folder.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 2);
  fs::remove_all(dir);
}
