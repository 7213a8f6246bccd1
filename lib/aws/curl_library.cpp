#include "aws/curl_library.h"

#include <dlfcn.h>

#include <string>

#include "cli/error.h"

namespace millrace::aws {
namespace {

CurlLibrary load() {
  void* library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr)
    throw cli::Error(cli::Exit::unavailable, "libcurl.so.4",
                     std::string("cannot load it (install Debian's libcurl4): ") + dlerror());
  auto find = [&](auto& function, const char* name) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(library, name));
    if (function == nullptr) throw cli::Error(cli::Exit::unavailable, "libcurl.so.4", std::string("has no ") + name);
  };
  CurlLibrary table{};
  find(table.global_init, "curl_global_init");
  find(table.share_init, "curl_share_init");
  find(table.share_setopt, "curl_share_setopt");
  find(table.easy_init, "curl_easy_init");
  find(table.easy_setopt, "curl_easy_setopt");
  find(table.easy_perform, "curl_easy_perform");
  find(table.easy_getinfo, "curl_easy_getinfo");
  find(table.easy_strerror, "curl_easy_strerror");
  find(table.easy_cleanup, "curl_easy_cleanup");
  find(table.slist_append, "curl_slist_append");
  find(table.slist_free_all, "curl_slist_free_all");
  find(table.url, "curl_url");
  find(table.url_set, "curl_url_set");
  find(table.url_get, "curl_url_get");
  find(table.url_cleanup, "curl_url_cleanup");
  find(table.free, "curl_free");
  if (table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw cli::Error(cli::Exit::unavailable, "libcurl.so.4", "curl_global_init failed");
  return table;
}

}  // namespace

const CurlLibrary& curl() {
  static const CurlLibrary table = load();
  return table;
}

}  // namespace millrace::aws
