#include "serve/item_route.h"

#include <doctest/doctest.h>

#include <string>

#include "lines/reader.h"
#include "store_fixture.h"
#include "table/put.h"

using namespace millrace;
using millrace::serve::get_items;
using millrace::test::StoreFixture;

namespace {

// A store with the table "chat" (User, then Time a number), filled by kv-put's code.
struct Chat {
  StoreFixture store;

  Chat() {
    table::TableSpec spec{"chat", std::string("User"), std::string("Time"), store::KeyType::string,
                          store::KeyType::number, std::nullopt, true};
    std::string file = store.dir.write("in.jsonl",
                                       "{\"User\":\"a b/c\",\"Time\":2,\"m\":\"two\"}\n"
                                       "{\"User\":\"a b/c\",\"Time\":1.50,\"m\":\"one and a half\"}\n"
                                       "{\"User\":\"a b/c\",\"Time\":-1,\"m\":\"minus one\"}\n"
                                       "{\"User\":\"other\",\"Time\":1,\"m\":\"other\"}\n");
    lines::Reader reader({file}, table::max_line_length(lines::InputFormat{}));
    table::put_items(store.env, spec, reader, {}, nullptr);
  }

  serve::HttpAnswer get(std::string_view target) {
    std::size_t question = target.find('?');
    return get_items(store.env, target.substr(0, question),
                     question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
  }
};

}  // namespace

TEST_CASE("GET of a full key answers the item as put; the key percent-decoded and typed as a number") {
  Chat chat;
  serve::HttpAnswer answer = chat.get("/tables/chat/items/a%20b%2Fc/1.5");
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "application/json");
  CHECK(answer.body == "{\"User\":\"a b/c\",\"Time\":1.50,\"m\":\"one and a half\"}\n");
  CHECK(chat.get("/tables/chat/items/a%20b%2Fc/3").status == 404);
  CHECK(chat.get("/tables/chat/items/a%20b%2Fc/three").status == 400);
}

TEST_CASE("GET of a partition is its query in sort key order; reverse and limit apply") {
  Chat chat;
  serve::HttpAnswer all = chat.get("/tables/chat/items/a%20b%2Fc");
  CHECK(all.status == 200);
  CHECK(all.content_type == "application/x-ndjson");
  CHECK(all.body ==
        "{\"User\":\"a b/c\",\"Time\":-1,\"m\":\"minus one\"}\n"
        "{\"User\":\"a b/c\",\"Time\":1.50,\"m\":\"one and a half\"}\n"
        "{\"User\":\"a b/c\",\"Time\":2,\"m\":\"two\"}\n");
  CHECK(chat.get("/tables/chat/items/a%20b%2Fc?reverse=1&limit=1").body ==
        "{\"User\":\"a b/c\",\"Time\":2,\"m\":\"two\"}\n");
  CHECK(chat.get("/tables/chat/items/nobody").body.empty());
}

TEST_CASE("the route's refusals: no table, bad parameters, no such path") {
  Chat chat;
  CHECK(chat.get("/tables/none/items/x").status == 404);
  CHECK(chat.get("/tables/chat/items/x?limit=0").status == 400);
  CHECK(chat.get("/tables/chat/items/x?limit=2x").status == 400);
  CHECK(chat.get("/tables/chat/items/x?reverse=yes").status == 400);
  CHECK(chat.get("/tables/chat/items/x?begins_with=1").status == 400);  // a number sort key
  CHECK(chat.get("/tables/chat/items/x?other=1").status == 400);
  CHECK(chat.get("/tables/chat/items/x/1?limit=1").status == 400);
  CHECK(chat.get("/tables/chat/items/").status == 404);
  CHECK(chat.get("/tables/chat/rows/x").status == 404);
  CHECK(chat.get("/tables/chat/items/x/1/2").status == 404);
  CHECK(chat.get("/tables/b%20d/items/x").status == 400);
}
