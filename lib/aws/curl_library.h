// libcurl, loaded when the AWS client first needs it.
//
// A program starts with no libcurl: linked in, libcurl and the thirty libraries it needs (GSSAPI,
// LDAP, SSH, IDN...) are mapped and relocated at every start, which made `ks-put --version`
// four times slower (2 ms to 8.5 ms; tests/bench/startup.sh) for every program that might talk
// to an endpoint, on a store directory too. So the few functions the client calls are looked up
// with dlopen(3) on first use, from Debian's libcurl.so.4 (package libcurl4), and are called
// through this table with libcurl's own declarations.
#pragma once

#ifndef CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_TYPECHECK  // the functions are called through pointers, not curl's macros
#endif
#include <curl/curl.h>

namespace millrace::aws {

struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_share_init) share_init;
  decltype(&::curl_share_setopt) share_setopt;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
};

// The table, loaded once (thread-safe). Throws cli::Error(unavailable) when libcurl.so.4 cannot
// be loaded or lacks a function.
const CurlLibrary& curl();

}  // namespace millrace::aws
