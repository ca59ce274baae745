// SPDX-License-Identifier: Apache-2.0
// The three conformance suites, run by the core's embedded backends and by the run-time handles
// that wrap them.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>

#include <mlpipe/storage.hpp>

#include "test_support.hpp"

namespace {

// ---- blob stores
struct memory_store_fixture {
    mlpipe::memory_blob_store s;
    mlpipe::memory_blob_store& store() { return s; }
};
struct file_store_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::file_blob_store s{dir / "store"};
    mlpipe::file_blob_store& store() { return s; }
};
struct any_mem_store_fixture {
    mlpipe::any_blob_store s = mlpipe::open_blob_store("mem://");
    mlpipe::any_blob_store& store() { return s; }
};
struct any_file_store_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::any_blob_store s =
        mlpipe::open_blob_store("file://" + (dir / "store").string() + "?sync=0");
    mlpipe::any_blob_store& store() { return s; }
};

// ---- message queues
mlpipe::queue_options conformance_queue_options() {
    mlpipe::queue_options options;
    options.max_receives = 3;
    return options;
}
struct memory_queue_fixture {
    mlpipe::memory_message_queue q{conformance_queue_options()};
    mlpipe::memory_message_queue& queue() { return q; }
};
struct any_mem_queue_fixture {
    mlpipe::any_message_queue q = mlpipe::open_message_queue("mem://?max_receives=3");
    mlpipe::any_message_queue& queue() { return q; }
};

// ---- data sources
std::vector<mlpipe::dataset_definition> conformance_definitions(const std::string& path) {
    return {{"all", path, "label", {}, "id"},
            {"only_f2", path, "label", {"f2"}, "id"},
            {"unlabelled", path, "", {"f1", "f2"}, ""}};
}
constexpr const char* conformance_csv =
    "id,f1,f2,label\n1,1,10,a\n2,2,20,b\n3,3,30,a\n4,4,40,b\n5,5,50,a\n6,6.5,60.5,b\n";

struct memory_source_fixture {
    mlpipe::memory_data_source s;
    std::string text = conformance_csv;
    memory_source_fixture() { load(); }
    void load() {
        auto all = mlpipe::parse_csv(text, {.label_column = "label", .ignore_columns = {"id"}});
        std::vector<std::int64_t> ids;
        for (Eigen::Index i = 0; i < all.n_samples(); ++i)
            ids.push_back(i + 1);
        s.add("all", all, ids);
        s.add("only_f2",
              mlpipe::dataset<double>(mlpipe::feature_matrix<double>(all.features().col(1)),
                                      all.targets(), all.classes(), {"f2"}),
              ids);
        s.add("unlabelled", mlpipe::dataset<double>(all.features(), all.feature_names()));
    }
    void append_row() {
        text += "7,7,70,c\n";
        load();
    }
    mlpipe::memory_data_source& source() { return s; }
};
struct csv_source_fixture {
    mlpipe::test::temp_dir dir;
    std::filesystem::path path = dir / "rows.csv";
    std::unique_ptr<mlpipe::csv_data_source> s;
    csv_source_fixture() {
        std::ofstream(path) << conformance_csv;
        s = std::make_unique<mlpipe::csv_data_source>(conformance_definitions(path.string()));
    }
    void append_row() { std::ofstream(path, std::ios::app) << "7,7,70,c\n"; }
    mlpipe::csv_data_source& source() { return *s; }
};
struct any_file_source_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::any_data_source s = make();
    mlpipe::any_data_source make() {
        std::ofstream(dir / "rows.csv") << conformance_csv;
        return mlpipe::open_data_source("file://" + dir.path().string(),
                                        conformance_definitions("rows.csv"));
    }
    void append_row() { std::ofstream(dir / "rows.csv", std::ios::app) << "7,7,70,c\n"; }
    mlpipe::any_data_source& source() { return s; }
};

}  // namespace

using mlpipe_blob_store_fixtures = std::tuple<memory_store_fixture, file_store_fixture,
                                              any_mem_store_fixture, any_file_store_fixture>;
using mlpipe_message_queue_fixtures = std::tuple<memory_queue_fixture, any_mem_queue_fixture>;
using mlpipe_data_source_fixtures =
    std::tuple<memory_source_fixture, csv_source_fixture, any_file_source_fixture>;

#include "blob_store_conformance.hpp"
#include "data_source_conformance.hpp"
#include "message_queue_conformance.hpp"
