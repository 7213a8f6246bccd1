#include "stream/ingest.h"

#include <vector>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "metrics/kinesis.h"
#include "metrics/recorder.h"
#include "store/group_commit.h"
#include "store/records.h"
#include "store/sequence.h"

namespace millrace::stream {

IngestStats ingest(store::Env& env, store::Notifier& notifier, const std::string& stream, lines::Reader& reader,
                   PutParser& parser, OnError on_error, lines::Writer* print) {
  store::Producer producer(env, notifier, stream);
  metrics::Recorder recorder;  // the commit thread's
  metrics::StreamPuts recorded(recorder, stream);
  IngestStats stats;
  std::vector<store::Put> puts;
  std::vector<store::Position> placed;
  store::GroupCommit<Batch> committer([&](std::vector<Batch>& taken) {
    puts.clear();
    for (const Batch& batch : taken) batch.append_puts(puts);
    recorded.append(producer, puts, placed);
    stats.records += puts.size();  // read by this thread only after finish()
    if (print == nullptr) return;
    for (store::Position position : placed) {
      std::string& out = print->buffer();
      out.append("{\"shard\":\"").append(store::shard_id(position.shard)).append("\",\"seq\":\"");
      store::append_sequence(out, position);
      out.append("\"}\n");
      print->maybe_flush();
    }
    print->flush();
  });
  stats.skipped = store::commit_lines(committer, reader, on_error, parser);
  return stats;
}

}  // namespace millrace::stream
