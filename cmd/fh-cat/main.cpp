// fh-cat -d BUCKET [--prefix PREFIX] [--since TIME] [--until TIME]
#include <unistd.h>

#include "archive/bucket.h"
#include "archive/catalog.h"
#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "lines/time.h"
#include "lines/writer.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"fh-cat", "fh-cat: the lines of an archive's objects, in time order (S3 and Athena reads)",
               cli::App::Store::unused};
  CLI::App& cli = app.parser();
  std::string dir, since, until;
  archive::Selection selection;

  cli.add_option("-d,--dir", dir, "the bucket fh-archive wrote")->required()->option_text("BUCKET");
  cli.add_option("--prefix", selection.prefix, "only objects whose keys begin with PREFIX")->option_text("PREFIX");
  cli.add_option("--since", since, "only objects from TIME on (ISO 8601)")->option_text("TIME");
  cli.add_option("--until", until, "only objects before TIME (ISO 8601)")->option_text("TIME");

  return app.run(argc, argv, [&] {
    selection.since = archive::time_argument(since, "--since");
    selection.until = archive::time_argument(until, "--until");
    archive::Bucket bucket(dir, archive::Bucket::Open::existing);
    lines::Writer out(STDOUT_FILENO);
    std::vector<archive::ObjectEntry> objects = archive::select_objects(bucket, selection);
    for (const archive::ObjectEntry& object : objects) archive::copy_object(bucket, object.key, out);
    out.flush();
    cli::note(dir, "{} objects", objects.size());
  });
}
