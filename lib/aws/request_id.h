// Request ids: random version 4 UUIDs ("8476a536-e9f4-11e8-9739-2dfe598c3fcd"), as AWS gives
// its requests, Lambda its invocations and failure records.
#pragma once

#include <string>

namespace millrace::aws {

// Unique, not secret; thread-safe.
std::string request_id();

}  // namespace millrace::aws
