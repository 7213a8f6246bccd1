#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets, tests/fuzz/corpus/TARGET/, from the inputs of the
# unit tests (copied here, each list naming its test file) and the first lines of the sample data
# (MILLRACE_DATA, default /work/shared/data). The seeds are committed; rerun this after changing
# it, and commit what changed. Each seed's format is the one its target's header describes.
set -euo pipefail
cd "$(dirname "$0")"
DATA=${MILLRACE_DATA:-/work/shared/data}
[[ -r $DATA/wildrydes-sample.jsonl ]] || { echo "no sample data in $DATA (set MILLRACE_DATA)" >&2; exit 66; }
rm -rf corpus
mkdir -p corpus

# seed TARGET NAME FORMAT [ARG...]: corpus/TARGET/NAME holds printf's output (no newline added).
seed() {
  local target=$1 name=$2
  shift 2
  mkdir -p "corpus/$target"
  # shellcheck disable=SC2059
  printf "$@" > "corpus/$target/$name"
}
# seeds TARGET PREFIX TEXT...: one seed per TEXT, named PREFIX-1, PREFIX-2, ...
seeds() {
  local target=$1 prefix=$2 i=0
  shift 2
  for text in "$@"; do
    seed "$target" "$prefix-$((i += 1))" '%s' "$text"
  done
}
wildrydes() { head -n "$1" "$DATA/wildrydes-sample.jsonl"; }

# lines: byte 0 picks the longest line (1, 2, 3, 7, 16, 64, 255, 1 MiB), byte 1 the read size - 1.
# JSON from tests/unit/json_test.cpp; line endings and limits from tests/unit/reader_test.cpp.
seed lines wildrydes '\x07\xff%s\n' "$(wildrydes 8)"
seed lines wildrydes-small-reads '\x07\x05%s\n' "$(wildrydes 3)"
seed lines wildrydes-crlf '\x07\x2f%s\r\n' "$(wildrydes 3 | sed 's/$/\r/')"
seed lines invoices '\x07\x3f%s\n' "$(head -n 4 "$DATA/retail-invoices.jsonl")"
seed lines valid '\x07\x10%s\n' '{"a":1}
[1,2,{"b":null},"x",true,false]
"just a string"
  {"a" : [ ] , "b" : { } }  
{"s":"\u00e9\n\"\\\/"}
{"user":{"id":"u7"},"a":[10,{"b":"x"}]}'
seed lines big-integers '\x07\x07%s\n' '{"n":18446744073709551616}
{"n":-123456789012345678901234567890e5,"s":"x"}
[18446744073709551616, 1.5e300, {"deep":[99999999999999999999999]}]
{"a":[18446744073709551616],"user":{"id":18446744073709551617}}'
seed lines invalid '\x07\x0b%s\n' '{"a":1} x
{"a":1}{}
{"a":01}
{"a":1.}
{"a":1)
{a:1}
{"a":"\q"}
{"n":18446744073709551616} x
{"n":18446744073709551616,"m":01}
[18446744073709551616,]
{"a":1}'
seed lines mixed-endings '\x04\x03a\r\nb\r\n\r\nx\ry\nc\r'
seed lines too-long '\x04\x06short\n%s\nnext\n%s\nok\n%s' "$(printf 'x%.0s' {1..25})" "$(printf 'z%.0s' {1..16})" \
  "$(printf 'y%.0s' {1..30})"
seed lines limit-crlf '\x02\x05{"a":1}\r\n[1,2]\n{"b":2}\r\n'

# envelope: one envelope per line. From tests/unit/put_parser_test.cpp.
seed envelope data-kinds '%s\n' '{"stream":"s","pk":"k1","data":{"a" : [1, 2] ,	"b":"x"}}
{"data":[ 1 , {"x":2} ],"pk":"k1"}
{"pk":"k1","data": 1.50e3 }
{"pk":"k1","data":-0,"ts":"x"}
{"pk":"k1","data":true}
{"pk":"k1","data":{"n":18446744073709551616,"s":"\u00e9"}}
{"pk":"k","data":"say \"hi\"\n"}'
seed envelope refused '%s\n' '{"data":1}
{"pk":"k"}
{"pk":7,"data":1}
[1]
not json
{"pk":"","data":1}
{"stream":"s","group":5,"data":1}
{"pk":"a","pk":"b","data":1,"data":"x"}'
seed envelope consumed '%s\n' \
  '{"stream":"rides","group":"g","shard":"shardId-000000000000","seq":"10000000000000001","pk":"Shadowfax","ts":"2026-11-23T10:00:00.123Z","data":{"Name":"Shadowfax","Distance":13.67}}
{"stream":"logs","shard":"shardId-000000000003","seq":"30000000000000042","pk":"k","ts":"2026-11-23T10:00:01.000Z","data":"a raw line \u0001"}'

# condition: the first line is the condition, the others are records. From tests/unit/condition_test.cpp.
record='{"n":5,"s":"Shadowfax","i":3,"d":3.0,"f":2.5,"neg":-1,"u":18446744073709551615,"big":9007199254740993,"z":-0.0,"t":true,"x":null,"o":{"k":1},"a":[10,{"b":"x"}],"Magic Points":150,"user":{"id":"u7","first name":"Ann","banned":true},"a/b":1,"m~n":2,"and":3,"True":4,"e":"caf\u00e9"}'
conditions=("n = 5 and n < 6" "n = 4 or n = 5" "NOT NOT n = 5 AND NOT n = 4 Or n = 0" "not a and b"
  "a and (b or (c or a)) and not (b or c)" "i = 3.0 and 1e3 = 1000 and 1.5E-1 = 0.15"
  "u = 18446744073709551615 and u < 18446744073709551616 and big > 9007199254740992.0"
  "min < h and min = -9223372036854775808" "s < 'shadowfax' and s in ('Rocinante', 'Shadowfax')"
  "e = 'café' and e > 'cafz'" "q = 'it\\'s \"x\"'" "t = true and f < t" "o = o or a < a or n <> '5'"
  "missing is null and x is not null" "n not in (1, 2) and n in (m)" "yes and (no or /user/banned)"
  "\`Magic Points\` = 150 and /user/id = 'u7'" "\`/user/first name\` = 'Ann' and /a/1/b = 'x'"
  "/a/2 is null and /a/01 is null and /a/- is null" "\`a/b\` = 1 and /a~1b = 1 and /m~0n = 2"
  "\`and\` = 3 and \`True\` = 4 and _x1 = 5" "\`a\\\`b\` is null" "a < b < c" "a = 'x\\n'" "01 = a"
  "a = 1e999" "/a~2 = 1" "a in (1,)" "a ! b" "a && b" "(((((a)))))" "not not not not a")
for i in "${!conditions[@]}"; do
  seed condition "case-$((i + 1))" '%s\n%s\n{"n":4,"a":true,"b":false,"c":false}\n' "${conditions[$i]}" "$record"
done
seed condition wildrydes 'HealthPoints < 150 and Name in ("Night Spark", "Amber Mane") or Distance >= 20\n%s\n' \
  "$(wildrydes 6)"

# select: --by fields separated by tabs, then the --select text, then records. From
# tests/unit/window_test.cpp and the README's Wild Rydes summary.
seed select summary 'Name\n%s\n%s\n' \
  'Name, window_start AS StatusTime, sum(Distance) AS Distance, min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints, min(HealthPoints) AS MinHealthPoints, max(HealthPoints) AS MaxHealthPoints' \
  "$(wildrydes 6)"
seed select every-aggregate 'Name\n%s\n%s\n{"x":1,"y":"s"}\n{"x":2.5,"y":null}\n{"x":18446744073709551615}\n{"x":"text","y":[1]}\n' \
  'Name, window_start AS StatusTime, sum(Distance) AS Distance, count(*), percentile(x, 0.95), window_end, min(MagicPoints), count(y) AS cy, avg(x), first(y), last(y), count_distinct(x), p50(x), p90(x), p99(x), max(y)' \
  "$(wildrydes 4)"
seed select pointers 'a\t/b/c\n/b/c, a AS first_key, sum(/d/e)\n{"a":1,"b":{"c":"k"},"d":{"e":2}}\n{"d":{"e":1e308}}\n{"d":{"e":1e308}}\n'
seeds select errors $'Name\nmedian(x)' $'Name\nsum(a, b)' $'Name\npercentile(x)' $'Name\np50(x, 0.5)' $'Name\nmin(*)' \
  $'Name\nName, Other' $'\nName' $'Name\ncount(*) AS n, sum(v) AS n' $'Name\nwindow_start, max(t) AS window_start' \
  $'Name\npercentile(x, 0)' $'Name\npercentile(x, 1.5)' $'Name\npercentile(x, abc)' $'Name\npercentile(x, 1)' \
  $'Name\nName,,count(*)' $'Name\nsum(x AS'

# time: one text for every parser. From tests/unit/time_test.cpp.
seeds time iso '2026-11-23T10:00:00Z' '2026-11-23T10:00:00.123Z' '2026-11-23T10:00:00.1239Z' '2026-11-23T12:00:00+02:00' \
  '2026-11-23T05:30:00-0430' '2026-11-23 10:00' '2026-11-23' '1970-01-01T00:00:00Z' '2026-02-30' '2026-11-23T25:00' \
  '2026-11-23T10:00:00Zjunk' 'yesterday' '2000-02-29T23:59:60.000Z' '2026-11-23t10:00:00.123z' \
  '2026-11-23T10:00:00,123Z' '2026-11-23T1:000:00.000Z' '0000-01-01T00:00+23:59' '9999-12-31T23:59:59.999-23:59'
seeds time scaled 250ms 10s 5m 2h 7d 10 1.5h h 512KiB 5MiB 1GiB 5MB 9223372036854775807 106751991167d 1545084650.987 -1e15

# prefix: the template, a time (digits), then the values of the keys Name, day and k. From
# tests/unit/archive_prefix_test.cpp.
templates=('!{timestamp:yyyy/MM/dd/HH}/' '!{timestamp:yy-M-d H:m:s}/' "!{timestamp:yyyy-MM-dd'T'HH:mm:ss.SSS}"
  '!{timestamp:MMM MMMM E EEEE D}' '!{timestamp:hh a}' "!{timestamp:'year='yyyy}/!{timestamp:'it''s'}" 'logs/' ''
  'n=!{partitionKeyFromQuery:Name}/d=!{partitionKeyFromQuery:day}/' 'errors/!{firehose:error-output-type}/'
  'r/!{firehose:random-string}/' '/abs/' '../up/' 'a//b/' '.hidden/!{timestamp:yyyy}' "!{timestamp:'..'}/x"
  "!{timestamp:yyyy}/!{timestamp:'.'}x" '!{nope:x}' '!{timestamp:yyyy' '!{timestamp:Q}' "!{timestamp:'open}"
  '!{partitionKeyFromQuery:Unknown}/' '!{timestamp:kk KK uuuuuuuuu SSSSSSSSS LLLL}/k=!{partitionKeyFromQuery:k}/')
for i in "${!templates[@]}"; do
  seed prefix "case-$((i + 1))" '%s\n1772355907042\nShadowfax\nmon\n../x\n' "${templates[$i]}"
done

# path_value: one value (and its halves). From tests/unit/archive_path_value_test.cpp.
seeds path_value plain Shadowfax a-b_c.d9 ...x a/b 100% '~' 'Ivory Mane' 'é' . .. ../ .hidden '%2F' 'a%20b'
seed path_value nul 'a\0b'
seed path_value long '%s' "$(printf 'a%.0s' {1..200})"
seed path_value slashes '%s' "$(printf '/%.0s' {1..100})"

# item_key: p1, s1, p2, s2, one a line. From tests/unit/item_key_test.cpp.
seeds item_key numbers $'a\n-9.99e125\na\n-1e100' $'a\n-12345678901234567890123456789012345678\na\n-999.5' \
  $'a\n-1e-130\na\n1e-130' $'b\n0.001\nb\n0.0011' $'b\n1.5\nb\n1.50' $'b\n15e-1\nb\n0.15E1' $'x\n100\nx\n1.00e+2' \
  $'x\n-0\nx\n0.0e5' $'x\n12345678901234567890123456789012345678\nx\n9.99e125' \
  $'x\n123456789012345678901234567890123456789\nx\n1e126' $'x\n1e-131\ny\n12345678901234567890123456789012345678000'
seeds item_key refused $'-\n01\n1.\n.5' $'1e\n1e+\n+1\n0x10' $'1 \nNaN\n1,5\n'
seed item_key strings 'a\na\0\na\0\0\na\0b'
seed item_key bytes 'a\x01\nab\n\xc3\xa9\n\xff'
seed item_key prefixes '2024-03-01T12\n2024-03-01T12:00:00Z\n2024-03-01T1\n2024-03-01T13:00:00Z'

# dynamo_expression: a kind letter and the expression, the values, an item. From
# tests/unit/dynamo_test.cpp (the cases of scripts/dynamodb-local-cases).
ditem='{"pk":"a","sk":1,"x":5,"s":"hello","l":[1,"b"],"m":{"k":1},"ss":{"$SS":["a","b"]},"ns":{"$NS":[1,2]},"bs":{"$BS":["AQ=="]},"b":{"$B":"AQI="},"n":null,"t":true,"e":"","el":[],"em":{}}'
dcases=("Cx = :v AND NOT begins_with(s, :w) OR attribute_exists(m.k)" "Cx BETWEEN :v AND :w" "Cx IN (:v, :w, :v2)"
  "Csize(l) > :v AND contains(ss, :w)" "Cattribute_type(#n, :v)" "C((x = :v))" "Cx[2147483648] = :v" "Cx = :v)"
  "F#n.#k[0] <> :v OR (NOT x < :w)" "Kpk = :v AND begins_with(sk, :w)" "Kpk = :v AND sk BETWEEN :w AND :w2"
  "USET x = x + :v, l = list_append(l, :w) REMOVE m.k ADD ss :w2 DELETE ns :v3" "USET l[5] = :v, l[0] = :w REMOVE l[1]"
  "USET y = if_not_exists(y, :v) - :w" "USET x = :v REMOVE x" "Pl[1], m.k, #n, s" "Px, x" "Cname = :v")
dvalues='[5,"hello",{"$SS":["a","c"]},{"$NS":[1]},12345678901234567890123456789012345678]'
for i in "${!dcases[@]}"; do
  seed dynamo_expression "case-$((i + 1))" '%s\n%s\n%s\n' "${dcases[$i]}" "$dvalues" "$ditem"
done
# attribute_value: a typed item or AttributeValue. From tests/unit/attribute_value_test.cpp.
seeds attribute_value item '{"Name":{"S":"Shadowfax"},"Magic":{"N":"150"},"Fast":{"BOOL":true},"Gone":{"NULL":true}}' \
  '{"k":{"S":"a\"b"},"n":{"N":"-12.5"},"l":{"L":[{"BOOL":false},{"NULL":true},{"B":"/w=="}]},"m":{"M":{"ss":{"SS":["x"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA==","AQ=="]}}}}' \
  '{"a":{"S":"x"},"a":{"S":"y"}}'
seeds attribute_value numbers '{"N":"1.50"}' '{"N":"-0"}' '{"N":".5"}' '{"N":"+5"}' '{"N":"1e125"}' '{"N":"1e126"}' \
  '{"N":"1e-131"}' '{"N":"123456789012345678901234567890123456789"}' '{"N":"abc"}' '{"NS":["1","1.0"]}'
seeds attribute_value sets '{"SS":[]}' '{"SS":["b","a","b"]}' '{"BS":["AQ==","AA==","AQ=="]}' '{"B":"AA="}' '{"B":"AB=="}' \
  '{"NULL":false}' '{"S":"a","N":"1"}' '{}' '{"S":"a","X":1}'
seeds attribute_value tagged '{"M":{"$B":{"S":"AAEC"}}}' '{"M":{"$SS":{"L":[{"S":"a"},{"S":"a"}]}}}' \
  '{"M":{"$NS":{"L":[{"N":"1"}]}}}' '{"M":{"$BS":{"L":[{"S":"AQ=="}]},"x":{"N":"1"}}}'
seed attribute_value deep '%s' "$(printf '{"M":{"a":%.0s' {1..32})"'{"S":"x"}'"$(printf '}}%.0s' {1..32})"
# item_route: a request target of GET /tables/... From tests/unit/item_route_test.cpp.
seeds item_route get '/tables/chat/items/ann' '/tables/chat/items/ann/2.50' '/tables/blobs/items/%2B%2F8%3D' \
  'chat/items/b%2Fc%20d?begins_with=x&limit=2&reverse=1' 'chat/items/ann/x?limit=0' '/tables/nope/items/x'
# proxy_event: a request (method, target, header lines, an empty line, the body), which is also the
# function's result, its first line also a --route option. From tests/unit/proxy_event_test.cpp.
seeds proxy_event request $'POST\n/hello/world?name=me&multivalueName=you&multivalueName=me\nHost: gy415nuibc.execute-api.us-east-1.amazonaws.com\nContent-Type: application/json\nheaderName: headerValue\nUser-Agent: PostmanRuntime/2.4.5\n\n{\r\n\t"a": 1\r\n}' \
  $'GET\n/users/a%2Fb%20c+d/?q=a+b%2Bc&flag&&caf%C3%A9=%E2%82%AC\nX-Tag: a\nx-tag: b, c\n\n' \
  $'GET\n/users/you/orders/7\n\n' $'PUT\n/files/hello/w%6Frld\nContent-Type: image/png\n\nabc' \
  $'DELETE\n/a\xff%FF?k%FE=v\xc3\nX-Raw: caf\xe9\n\n\xff\x00\x01' $'GET\n/\n\n'
seeds proxy_event result '{"statusCode":201,"headers":{"X-One":"1","X-N":5,"X-B":true,"Set-Cookie":"a=1"},"multiValueHeaders":{"set-cookie":["b=2","c=3"],"X-M":[1,null,"two"]},"body":"created"}' \
  '{"statusCode":200,"body":"/wAB","isBase64Encoded":true}' '{"statusCode":200,"body":"not base64!","isBase64Encoded":true}' \
  '{"statusCode":"200"}' '{"statusCode":200,"body":{"a":1}}' '{"statusCode":200,"headers":{"X-Split":"a\r\nSet-Cookie: evil"}}'
seeds proxy_event route 'POST /invoices=index.handler' 'GET /users/{id}=app.get' 'ANY /{proxy+}=index.handler' \
  'GET /a=b/c=index.handler' 'GET /{proxy+}/x=index.handler' 'GET /users/u{id}=index.handler' 'FETCH /a=index.handler'
