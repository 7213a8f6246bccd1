// sigv4_check — lib/aws's SigV4 driven from outside: the botocore test's counterpart, and the
// verifier's benchmark. A test-only program; nothing installs it.
//
// sigv4_check check --credentials FILE
//   reads JSON lines on stdin, one request each, and prints one JSON line per request:
//     {"op":"verify","method":"POST","path":"/","query":"","headers":[["Host","h"],...],
//      "body_hex":"7b7d","now":"20150830T123600Z","service":"kinesis"}
//       → {"ok":true,"access_key_id":..,"region":..,"service":..}
//       | {"ok":false,"type":"InvalidSignatureException","message":..}
//     {"op":"sign",...,"profile":"default","region":"us-east-1","service":"kinesis",
//      "now":..,"unsigned_payload":false}   → {"authorization":..,"headers":[[name,value],...]}
//     {"op":"presign",...,"profile":..,"region":..,"service":..,"now":..,"expires":3600}
//       → {"query":..}
//   "service" is optional for verify (any service); bodies are hex so that any bytes pass.
//
// sigv4_check bench [--rounds N] [--iterations N]
//   times a Kinesis PutRecord request as botocore sends it: prints one JSON line per round,
//   {"verify_ns":..,"verify_hashed_ns":..,"body_sha256_ns":..,"signing_key_ns":..} — a
//   whole verify, a verify given the body's hash, the body's SHA-256 alone (the baseline),
//   and deriving a signing key (what the verifier's cache saves).
//
// Exit status: 0, 64 bad usage, 65 a bad input line, 66 no credentials file.
#include <fmt/format.h>
#include <simdjson.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "cli/error.h"
#include "lines/json.h"

namespace {

using namespace millrace;
using namespace millrace::aws;

// A request read from a JSON line; owns the bytes the RequestView points to.
struct InputRequest {
  std::string method, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<HeaderField> fields;

  RequestView view() {
    fields.clear();
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    return RequestView{method, path, query, fields, body, {}};
  }
};

std::string from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("body_hex has an odd length");
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

std::string text_field(simdjson::dom::object line, const char* name,
                       std::string_view fallback = {}) {
  std::string_view value;
  if (line[name].get(value) != simdjson::SUCCESS) return std::string(fallback);
  return std::string(value);
}

SigningTime time_field(simdjson::dom::object line) {
  auto time = parse_amz_date(text_field(line, "now"));
  if (!time) throw std::invalid_argument("\"now\" is not YYYYMMDDTHHMMSSZ");
  return *time;
}

InputRequest read_request(simdjson::dom::object line) {
  InputRequest request;
  request.method = text_field(line, "method", "GET");
  request.path = text_field(line, "path", "/");
  request.query = text_field(line, "query");
  request.body = from_hex(text_field(line, "body_hex"));
  simdjson::dom::array headers;
  if (line["headers"].get(headers) == simdjson::SUCCESS)
    for (simdjson::dom::element pair : headers) {
      std::string_view name = pair.at(0).get_string().value(),
                       value = pair.at(1).get_string().value();
      request.headers.emplace_back(name, value);
    }
  return request;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += out.size() > 1 ? "," : "";
  lines::append_json_string(out, name);
  out += ':';
  lines::append_json_string(out, value);
}

std::string answer(simdjson::dom::object line, const Verifier& verifier,
                   const std::vector<Profile>& profiles) {
  std::string op = text_field(line, "op");
  InputRequest request = read_request(line);
  std::string out = "{";
  if (op == "verify") {
    Verdict verdict =
        verifier.verify(request.view(), time_field(line), text_field(line, "service"));
    out += verdict.ok() ? "\"ok\":true" : "\"ok\":false";
    if (verdict.ok()) {
      append_field(out, "access_key_id", verdict.caller.access_key_id);
      append_field(out, "region", verdict.caller.region);
      append_field(out, "service", verdict.caller.service);
    } else {
      append_field(out, "type", verdict.refusal->type);
      append_field(out, "message", verdict.refusal->message);
    }
    return out + "}";
  }
  const Profile* profile = find_profile(profiles, text_field(line, "profile", "default"));
  if (profile == nullptr) throw std::invalid_argument("no such profile");
  std::string region = text_field(line, "region"), service = text_field(line, "service");
  Scope scope{region, service};
  if (op == "sign") {
    bool unsigned_payload = false;
    if (line["unsigned_payload"].get(unsigned_payload) != simdjson::SUCCESS)
      unsigned_payload = false;
    Signed s =
        sign(request.view(), profile->credentials, scope, time_field(line), {unsigned_payload});
    append_field(out, "authorization", s.authorization);
    out += ",\"headers\":[";
    for (std::size_t i = 0; i < s.headers.size(); ++i) {
      out += i > 0 ? ",[" : "[";
      lines::append_json_string(out, s.headers[i].name);
      out += ',';
      lines::append_json_string(out, s.headers[i].value);
      out += ']';
    }
    return out + "]}";
  }
  if (op == "presign") {
    int64_t expires = 3600;
    if (line["expires"].get(expires) != simdjson::SUCCESS) expires = 3600;
    append_field(out, "query",
                 presign(request.view(), profile->credentials, scope, time_field(line),
                         std::chrono::seconds(expires)));
    return out + "}";
  }
  throw std::invalid_argument("\"op\" is not verify, sign or presign");
}

int check(const std::string& credentials_file) {
  std::vector<Profile> profiles = read_credentials_file(credentials_file);
  Verifier verifier(CredentialStore(profiles, credentials_file));
  simdjson::dom::parser parser;
  std::string text;
  for (std::size_t number = 1; std::getline(std::cin, text); ++number) {
    try {
      simdjson::dom::object line;
      if (auto error = parser.parse(text).get(line))
        throw std::invalid_argument(lines::describe(error));
      std::cout << answer(line, verifier, profiles) << '\n';
    } catch (const std::exception& error) {
      throw cli::Error(cli::Exit::data, fmt::format("stdin:{}", number), error.what());
    }
  }
  return 0;
}

double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return double(now.tv_sec) * 1e9 + double(now.tv_nsec);
}

// CPU ns per call of `work`, over `iterations` calls. CPU time, not wall time: on a machine
// shared with builds, a preempted round would otherwise count the other programs' work.
template <typename Work>
double time_ns(int iterations, Work work) {
  double start = thread_cpu_ns();
  for (int i = 0; i < iterations; ++i) work();
  return (thread_cpu_ns() - start) / iterations;
}

int bench(int rounds, int iterations) {
  Credentials key{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  Verifier verifier(CredentialStore({Profile{"default", 1, key}}, "bench"));
  SigningTime now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  // A PutRecord of one Wild Rydes record, with the headers botocore sends (User-Agent and
  // Content-Length unsigned).
  InputRequest request;
  request.method = "POST";
  request.body =
      R"({"StreamName":"wildrydes","Data":"eyJOYW1lIjoiU2hhZG93ZmF4IiwiU3RhdHVzVGltZSI6IjIwMjYtMTEtMjMgMTA6MDA6MDAuMDAwIiwiTGF0aXR1ZGUiOjQ3LjYxNjYzLCJMb25naXR1ZGUiOi0xMjIuMzIwMjQsIkRpc3RhbmNlIjoxNzUsIk1hZ2ljUG9pbnRzIjoxMywiSGVhbHRoUG9pbnRzIjoxNTB9","PartitionKey":"Shadowfax"})";
  request.headers = {{"Host", "localhost:4566"},
                     {"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"User-Agent", "Boto3/1.26.27 Python/3.11.2 Linux/6.1.0 Botocore/1.29.27"}};
  Signed s = sign(request.view(), key, {"us-east-1", "kinesis"}, now);
  for (const Header& header : s.headers) request.headers.emplace_back(header.name, header.value);
  request.headers.emplace_back("Authorization", s.authorization);
  request.headers.emplace_back("Content-Length", std::to_string(request.body.size()));
  RequestView view = request.view();
  std::string body_sha256 = to_hex(sha256(request.body));
  RequestView hashed = view;
  hashed.body_sha256 = body_sha256;
  if (!verifier.verify(view, now, "kinesis").ok())
    throw std::logic_error("the benchmark's request does not verify");
  volatile bool sink = false;
  for (int round = 0; round < rounds; ++round) {
    double verify_ns =
        time_ns(iterations, [&] { sink = verifier.verify(view, now, "kinesis").ok(); });
    double hashed_ns =
        time_ns(iterations, [&] { sink = verifier.verify(hashed, now, "kinesis").ok(); });
    double body_ns = time_ns(iterations, [&] { sink = sha256(request.body)[0] == 0; });
    double key_ns = time_ns(iterations / 10 + 1, [&] {
      sink = signing_key(key.secret_access_key, "20261123", {"us-east-1", "kinesis"})[0] == 0;
    });
    fmt::print(
        "{{\"verify_ns\":{:.0f},\"verify_hashed_ns\":{:.0f},\"body_sha256_ns\":{:.0f},\"signing_"
        "key_ns\":{:.0f},"
        "\"body_bytes\":{}}}\n",
        verify_ns, hashed_ns, body_ns, key_ns, request.body.size());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sigv4_check: lib/aws's SigV4 for the botocore test and the benchmark"};
  app.require_subcommand(1);
  std::string credentials_file;
  CLI::App* check_command =
      app.add_subcommand("check", "verify, sign or presign the requests of stdin");
  check_command->add_option("--credentials", credentials_file, "AWS credentials file")->required();
  int rounds = 15, iterations = 20000;
  CLI::App* bench_command =
      app.add_subcommand("bench", "time the verification of a Kinesis PutRecord");
  bench_command->add_option("--rounds", rounds)->check(CLI::PositiveNumber);
  bench_command->add_option("--iterations", iterations)->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
    return check_command->parsed() ? check(credentials_file) : bench(rounds, iterations);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 64;
  } catch (const cli::Error& error) {
    std::cerr << "sigv4_check: " << (error.where().empty() ? "" : error.where() + ": ")
              << error.what() << '\n';
    return static_cast<int>(error.status());
  }
}
