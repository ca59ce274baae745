// SPDX-License-Identifier: Apache-2.0
// The `mlpipe` command line driven end to end as a user would: real processes (fork/exec) in a
// temporary directory with real SQLite files and a file model store, asserting on output and exit
// codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string mlpipe_exe = MLPIPE_CLI;
const std::string iris_csv = std::string(MLPIPE_TEST_DATA_DIR) + "/iris.csv";

struct result {
    int code = -1;
    std::string out;
    std::string err;
    [[nodiscard]] nlohmann::json json() const {
        auto j = nlohmann::json::parse(out, nullptr, false);
        INFO("stdout: " << out << "\nstderr: " << err);
        REQUIRE_FALSE(j.is_discarded());
        return j;
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A fresh directory with helpers to run mlpipe in it.
class sandbox {
  public:
    sandbox() {
        std::string pattern = (fs::temp_directory_path() / "mlpipe-cli-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir_ = pattern;
    }
    sandbox(const sandbox&) = delete;
    sandbox& operator=(const sandbox&) = delete;
    ~sandbox() {
        for (const pid_t pid : background_) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    [[nodiscard]] const fs::path& dir() const noexcept { return dir_; }

    /// Runs mlpipe with `args` in the directory, waits, and returns what it printed.
    result run(const std::vector<std::string>& args, const std::string& input = {}) {
        const auto id = std::to_string(++runs_);
        const fs::path out = dir_ / (".out" + id), err = dir_ / (".err" + id),
                       in = dir_ / (".in" + id);
        {
            std::ofstream f(in, std::ios::binary);
            f << input;
        }
        const pid_t pid = spawn(args, out, err, in);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }

    /// Starts mlpipe in the background; its output goes to `log`.
    pid_t start(const std::vector<std::string>& args, const std::string& log) {
        const pid_t pid = spawn(args, dir_ / log, dir_ / (log + ".err"), "/dev/null");
        background_.push_back(pid);
        return pid;
    }

    /// Sends SIGTERM to a background process and waits for it (at most `seconds`); its exit code.
    int stop(pid_t pid, int seconds = 20) {
        ::kill(pid, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        int status = 0;
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        background_.erase(std::remove(background_.begin(), background_.end(), pid),
                          background_.end());
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    /// init + data load iris: the starting point of most tests.
    void init_with_iris() {
        REQUIRE(run({"init"}).code == 0);
        const auto r = run({"data", "load", iris_csv, "--dataset", "iris"});
        INFO(r.err);
        REQUIRE(r.code == 0);
    }

  private:
    pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err,
                const fs::path& in) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (::chdir(dir_.c_str()) != 0) ::_exit(126);
            const int fi = ::open(in.c_str(), O_RDONLY);
            const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fi < 0 || fo < 0 || fe < 0) ::_exit(126);
            ::dup2(fi, 0);
            ::dup2(fo, 1);
            ::dup2(fe, 2);
            ::setenv("NO_COLOR", "1", 1);
            ::unsetenv("MLPIPE_CONFIG");
            ::unsetenv("MLPIPE_WAREHOUSE");
            ::unsetenv("MLPIPE_QUEUE");
            ::unsetenv("MLPIPE_MODELS");
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(mlpipe_exe.c_str()));
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(mlpipe_exe.c_str(), argv.data());
            ::_exit(127);
        }
        return pid;
    }

    fs::path dir_;
    int runs_ = 0;
    std::vector<pid_t> background_;
};

/// An HTTP/1.1 exchange on loopback (Connection: close): the status and the body.
std::pair<int, std::string> http(int port, const std::string& method, const std::string& path,
                                 const std::string& body = {}) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                          "Connection: close\r\nContent-Type: application/json\r\n" +
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may answer (413) and close before reading it all
        sent += static_cast<std::size_t>(n);
    }
    std::string response;
    char buffer[4096];
    for (;;) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    INFO(response);
    REQUIRE(response.rfind("HTTP/1.1 ", 0) == 0);
    const int status = std::stoi(response.substr(9, 3));
    const auto split = response.find("\r\n\r\n");
    return {status, split == std::string::npos ? "" : response.substr(split + 4)};
}

/// One line on stderr: "mlpipe: error: ... (try: ...)".
void require_one_line_error(const result& r, const std::string& needle) {
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 1);
    CHECK(r.err.rfind("mlpipe: error: ", 0) == 0);
    CHECK(r.err.find("(try: ") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace

TEST_CASE("mlpipe init writes a working configuration and refuses to overwrite it", "[cli]") {
    sandbox box;
    const auto r = box.run({"init"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("wrote") != std::string::npos);
    const auto doc = nlohmann::json::parse(slurp(box.dir() / "mlpipe.json"));
    CHECK(doc["warehouse"] == "sqlite://warehouse.db");
    CHECK(doc["queue"].get<std::string>().rfind("sqlite://queue.db?queue=training", 0) == 0);
    CHECK(doc["models"] == "file://models");
    CHECK(fs::is_directory(box.dir() / "models"));
    require_one_line_error(box.run({"init"}), "exists already");
    CHECK(box.run({"init", "--force"}).code == 0);
    // A configuration in another directory, named by --config: relative paths follow the file.
    REQUIRE(box.run({"init", "elsewhere"}).code == 0);
    const auto s = box.run({"--config", "elsewhere/mlpipe.json", "status", "--json"}).json();
    CHECK(s["warehouse"].get<std::string>().find("/elsewhere/warehouse.db") != std::string::npos);
}

TEST_CASE("mlpipe data load creates then appends a table, and data show describes it", "[cli]") {
    sandbox box;
    box.init_with_iris();
    const auto cfg = nlohmann::json::parse(slurp(box.dir() / "mlpipe.json"));
    CHECK(cfg["datasets"]["iris"]["watermark"] == "id");
    auto show = box.run({"data", "show", "iris", "--json"}).json();
    CHECK(show["rows"] == 150);
    CHECK(show["watermark"] == 150);
    CHECK(show["classes"].size() == 3);
    CHECK(show["features"].size() == 4);
    const auto again = box.run({"data", "load", iris_csv, "--dataset", "iris", "--json"}).json();
    CHECK(again["loaded_rows"] == 150);
    CHECK(again["total_rows"] == 300);
    CHECK(again["watermark"] == 300);
    const auto text = box.run({"data", "show", "iris"});
    CHECK(text.code == 0);
    CHECK(text.out.find("versicolor") != std::string::npos);
    CHECK(text.out.find("300") != std::string::npos);
    const auto list = box.run({"data", "list", "--json"}).json();
    REQUIRE(list.size() == 1);
    CHECK(list[0]["dataset"] == "iris");
}

TEST_CASE(
    "mlpipe train --wait with a worker process publishes, promotes and the models commands "
    "show it",
    "[cli]") {
    sandbox box;
    box.init_with_iris();
    const pid_t worker = box.start({"worker", "--idle-exit", "60", "--name", "w"}, "worker.log");

    auto r = box.run({"train", "--model", "iris", "--dataset", "iris", "--promote", "production",
                      "--request-id", "iris-first", "--wait", "--timeout", "60"});
    // On a failure, what the worker said and whether it still runs (for a failure seen once).
    INFO(r.out << r.err << "\nworker "
               << (::waitpid(worker, nullptr, WNOHANG) == 0 ? "running" : "exited")
               << "; its log:\n"
               << slurp(box.dir() / "worker.log") << slurp(box.dir() / "worker.log.err"));
    REQUIRE(r.code == 0);
    CHECK(r.out.find("queued iris-first") != std::string::npos);
    CHECK(r.out.find("published iris v1") != std::string::npos);
    r = box.run({"train", "--model", "iris", "--dataset", "iris", "--estimator", "linear_svm",
                 "--preprocess", "standard_scaler", "--hyperparameters", "{\"C\": 0.5}",
                 "--champion", "production", "--promote", "production", "--wait", "--timeout", "60",
                 "--json"});
    REQUIRE(r.code == 0);
    const auto second = r.json();
    CHECK(second["status"] == "published");
    CHECK(second["version"] == 2);
    // The same request id again queues nothing.
    r = box.run({"train", "--model", "iris", "--dataset", "iris", "--request-id", "iris-first"});
    CHECK(r.code == 0);
    CHECK(r.out.find("nothing queued") != std::string::npos);

    const auto models = box.run({"models", "--json"}).json();
    REQUIRE(models.size() == 1);
    CHECK(models[0]["model"] == "iris");
    CHECK(models[0]["versions"] == 2);
    const auto text_list = box.run({"models"});
    CHECK(text_list.out.find("production=v") != std::string::npos);

    auto show = box.run({"models", "show", "iris@1", "--json"}).json();
    CHECK(show["version"] == 1);
    CHECK(show["manifest"]["kind"] == "logistic_regression");
    CHECK(show["manifest"]["lineage"]["dataset_name"] == "iris");
    CHECK(show["request_id"] == "iris-first");
    const auto production = box.run({"models", "show", "iris@production", "--json"}).json();
    const auto prod_version = production["version"].get<int>();
    CHECK((prod_version == 1 || prod_version == 2));
    const auto show_text = box.run({"models", "show", "iris"});
    CHECK(show_text.code == 0);
    CHECK(show_text.out.find("lineage") != std::string::npos);
    CHECK(show_text.out.find("holdout_accuracy") != std::string::npos);

    // promote, history, rollback
    r = box.run({"models", "promote", "iris", "1", "--alias", "staging"});
    CHECK(r.code == 0);
    CHECK(r.out.find("staging: (unset) -> v1") != std::string::npos);
    r = box.run({"models", "promote", "iris", "2", "--alias", "staging"});
    CHECK(r.code == 0);
    auto history = box.run({"models", "history", "iris", "--alias", "staging", "--json"}).json();
    REQUIRE(history.size() == 2);
    CHECK(history[1]["from"] == 1);
    CHECK(history[1]["to"] == 2);
    r = box.run({"models", "rollback", "iris", "--alias", "staging", "--json"});
    REQUIRE(r.code == 0);
    CHECK(r.json()["to"] == 1);
    history = box.run({"models", "history", "iris", "--json"}).json();
    CHECK(history.size() >= 4);  // staging x3 + production
    const auto history_text = box.run({"models", "history", "iris"});
    CHECK(history_text.out.find("rollback of move 2") != std::string::npos);

    // verify and export
    r = box.run({"models", "verify", "iris@staging"});
    CHECK(r.code == 0);
    CHECK(r.out.find("ok iris v1") != std::string::npos);
    const auto exported = box.run({"models", "export", "iris@2", "--json"}).json();
    CHECK(exported["kind"] == "linear_svm");
    CHECK(exported["registry"]["version"] == 2);
    REQUIRE(box.run({"models", "export", "iris@2", "--output", "v2.mlpa"}).code == 0);
    const auto file_check = box.run({"models", "verify", "v2.mlpa", "--json"}).json();
    CHECK(file_check["ok"] == true);
    CHECK(file_check["sha256"] == exported["registry"]["sha256"]);
    {  // a flipped byte fails the checksum
        std::string bytes = slurp(box.dir() / "v2.mlpa");
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
        std::ofstream(box.dir() / "bad.mlpa", std::ios::binary) << bytes;
    }
    require_one_line_error(box.run({"models", "verify", "bad.mlpa"}), "checksum");

    // compare on the same hold-out
    const auto cmp = box.run({"models", "compare", "iris", "1", "2", "--json"}).json();
    CHECK(cmp["test_rows"].get<int>() > 0);
    REQUIRE(cmp["versions"].size() == 2);
    CHECK(cmp["versions"][0]["holdout_scores"]["accuracy"].is_number());
    CHECK(cmp["versions"][1]["holdout_scores"]["accuracy"].is_number());
    CHECK(box.run({"models", "compare", "iris", "production", "latest"}).code == 0);

    // requests and status
    const auto requests = box.run({"requests", "--json"}).json();
    REQUIRE(requests["requests"].size() == 2);
    CHECK(requests["requests"][0]["status"] == "published");
    CHECK(requests["requests"][1]["status"] == "published");
    const auto status = box.run({"status", "--json"}).json();
    CHECK(status["models"][0]["model"] == "iris");
    CHECK(status["workers"].size() >= 1);
    CHECK(status["queue"]["dead"] == 0);
    const auto status_text = box.run({"status"});
    CHECK(status_text.code == 0);
    CHECK(status_text.out.find("last trainings") != std::string::npos);

    // SIGTERM stops the worker cleanly.
    CHECK(box.stop(worker) == 0);
    CHECK(slurp(box.dir() / "worker.log").find("stopped (signal 15)") != std::string::npos);
}

TEST_CASE(
    "mlpipe requests lists a poison request as dead with its error, retry and drop act on "
    "it",
    "[cli]") {
    sandbox box;
    box.init_with_iris();
    // Valid as a document, but the data set takes no parameter "nope": every attempt fails.
    std::ofstream(box.dir() / "poison.json")
        << R"({"request_id": "poison-1", "model": "iris", "estimator": {"kind": "logistic_regression"},
              "dataset": {"name": "iris", "parameters": {"nope": 1}}})";
    const pid_t worker = box.start({"worker", "--idle-exit", "60"}, "worker.log");
    auto r = box.run({"train", "--request", "poison.json", "--wait", "--timeout", "60"});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.find("dead-lettered") != std::string::npos);
    CHECK(r.out.find("no parameter") != std::string::npos);

    auto list = box.run({"requests", "--json"}).json();
    CHECK(list["queue"]["dead"] == 1);
    REQUIRE(list["requests"].size() == 1);
    CHECK(list["requests"][0]["status"] == "dead");
    CHECK(list["requests"][0]["detail"].get<std::string>().find("no parameter \"nope\"") !=
          std::string::npos);
    const auto text = box.run({"requests"});
    CHECK(text.out.find("dead") != std::string::npos);
    CHECK(text.out.find("requests retry") != std::string::npos);

    // retry: sent again (the worker fails it again until it is dead again)
    r = box.run({"requests", "retry", "poison-1"});
    CHECK(r.code == 0);
    CHECK(r.out.find("re-queued poison-1") != std::string::npos);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        list = box.run({"requests", "--json"}).json();
        if (list["queue"]["dead"] == 1 && list["queue"]["visible"] == 0 &&
            list["queue"]["in_flight"] == 0)
            break;
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    r = box.run({"requests", "drop", "poison-1"});
    CHECK(r.code == 0);
    list = box.run({"requests", "--json"}).json();
    CHECK(list["queue"]["dead"] == 0);
    require_one_line_error(box.run({"requests", "drop", "poison-1"}), "no dead letter");
    CHECK(box.stop(worker) == 0);
}

TEST_CASE("mlpipe train --wait says when no worker is running and gives up at the timeout",
          "[cli]") {
    sandbox box;
    box.init_with_iris();
    const auto r =
        box.run({"train", "--model", "iris", "--dataset", "iris", "--wait", "--timeout", "4.5"});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.err.find("no worker seems to be running") != std::string::npos);
    CHECK(r.err.find("is still queued") != std::string::npos);
    const auto list = box.run({"requests", "--json"}).json();
    CHECK(list["queue"]["visible"] == 1);
    CHECK(list["requests"][0]["status"] == "queued");
}

TEST_CASE("mlpipe retrain check queues what a policy says is due, once", "[cli]") {
    sandbox box;
    box.init_with_iris();
    auto cfg = nlohmann::json::parse(slurp(box.dir() / "mlpipe.json"));
    cfg["policies"]["iris"] = {
        {"min_new_rows", 100},
        {"candidates",
         {{{"estimator", {{"kind", "gaussian_naive_bayes"}}}, {"dataset", {{"name", "iris"}}}}}}};
    std::ofstream(box.dir() / "mlpipe.json") << cfg.dump(2);
    auto r = box.run({"retrain", "check", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    auto decision = r.json();
    REQUIRE(decision.size() == 1);
    CHECK(decision[0]["due"] == true);
    CHECK(decision[0]["queued"].size() == 1);
    decision = box.run({"retrain", "check", "--json"}).json();
    CHECK(decision[0]["queued"].empty());
    CHECK(decision[0]["already_queued"].size() == 1);
    // A policy with a typo is a configuration error naming the field.
    cfg["policies"]["iris"]["min_new_rowz"] = 5;
    std::ofstream(box.dir() / "mlpipe.json") << cfg.dump(2);
    require_one_line_error(box.run({"retrain", "check"}), "policies.iris.min_new_rowz");
}

TEST_CASE("mlpipe errors are one clear line with a non-zero exit code", "[cli]") {
    sandbox box;
    require_one_line_error(box.run({"models"}), "no configuration found");
    box.init_with_iris();
    // wrong URIs
    require_one_line_error(box.run({"--queue", "not-a-uri", "requests"}), "not a storage URI");
    require_one_line_error(box.run({"--models", "nope://x", "models"}), "nope");
    // missing data set, unknown model and version
    require_one_line_error(box.run({"train", "--model", "m", "--dataset", "missing"}),
                           "no data set named \"missing\"");
    require_one_line_error(box.run({"data", "show", "missing"}), "no data set named");
    require_one_line_error(box.run({"models", "show", "ghost"}), "no model named \"ghost\"");
    // malformed request files
    std::ofstream(box.dir() / "typo.json")
        << R"({"model": "iris", "estimator": {"kind": "logistic_regression"},
              "dataset": {"name": "iris"}, "validation": {"min_scroe": 0.9}})";
    require_one_line_error(box.run({"train", "--request", "typo.json"}), "min_scroe");
    std::ofstream(box.dir() / "broken.json") << "{\"model\": ";
    require_one_line_error(box.run({"train", "--request", "broken.json"}), "not valid JSON");
    require_one_line_error(box.run({"train", "--request", "absent.json"}), "absent.json");
    require_one_line_error(box.run({"train", "--model", "iris", "--dataset", "iris", "--estimator",
                                    "gradient_boosting"}),
                           "gradient_boosting");
    // a request from standard input
    const auto piped = box.run({"train", "--request", "-", "--json"},
                               R"({"model": "iris", "estimator": {"kind": "k_nearest_neighbors"},
                    "dataset": {"name": "iris"}})");
    CHECK(piped.code == 0);
    CHECK(piped.json()["queued"] == true);
    // a malformed CSV writes nothing
    std::ofstream(box.dir() / "ragged.csv") << "a,b,label\n1,2,x\n3,y\n";
    require_one_line_error(box.run({"data", "load", "ragged.csv", "--dataset", "iris"}),
                           "ragged.csv");
    std::ofstream(box.dir() / "other.csv") << "a,b,label\n1,2,x\n";
    require_one_line_error(box.run({"data", "load", "other.csv", "--dataset", "iris"}),
                           "has the columns");
    CHECK(box.run({"data", "show", "iris", "--json"}).json()["rows"] == 150);
    // usage errors: exit code 2
    auto r = box.run({"frobnicate"});
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown command") != std::string::npos);
    r = box.run({"models", "--bogus"});
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown option --bogus") != std::string::npos);
    CHECK(box.run({"train", "--model", "iris"}).code == 2);
    CHECK(box.run({"models", "frob"}).code == 2);
    CHECK(box.run({"data", "frob"}).code == 2);
}

TEST_CASE("every mlpipe command has --help with examples and exit codes", "[cli]") {
    sandbox box;
    const auto main_help = box.run({"--help"});
    CHECK(main_help.code == 0);
    CHECK(main_help.out.find("exit codes") != std::string::npos);
    for (const auto& command : std::vector<std::vector<std::string>>{{"init"},
                                                                     {"data", "load"},
                                                                     {"data", "show"},
                                                                     {"data", "list"},
                                                                     {"train"},
                                                                     {"requests"},
                                                                     {"requests", "retry"},
                                                                     {"requests", "drop"},
                                                                     {"worker"},
                                                                     {"retrain", "check"},
                                                                     {"models"},
                                                                     {"models", "show"},
                                                                     {"models", "compare"},
                                                                     {"models", "promote"},
                                                                     {"models", "rollback"},
                                                                     {"models", "history"},
                                                                     {"models", "verify"},
                                                                     {"models", "export"},
                                                                     {"status"},
                                                                     {"demo"}}) {
        auto args = command;
        args.push_back("--help");
        const auto r = box.run(args);
        INFO(args[0] << " " << (args.size() > 2 ? args[1] : ""));
        CHECK(r.code == 0);
        CHECK(r.out.find("usage: mlpipe") != std::string::npos);
        CHECK(r.out.find("examples:") != std::string::npos);
        CHECK(r.out.find("exit codes: 0 ok, 1 error, 2 usage error") != std::string::npos);
    }
}

TEST_CASE("mlpipe predict answers rows from CSV and JSON through the serving handler", "[cli]") {
    sandbox box;
    box.init_with_iris();
    REQUIRE(box.run({"train", "--model", "iris", "--dataset", "iris", "--promote", "production"})
                .code == 0);
    REQUIRE(box.run({"worker", "--max-requests", "1"}).code == 0);
    // A CSV with the training file's header: named features, label and id left out.
    std::ofstream(box.dir() / "rows.csv") << "id,sepal_length,sepal_width,petal_length,petal_width,"
                                             "label\n1,5.1,3.5,1.4,0.2,?\n2,6.7,3.0,5.2,2.3,?\n";
    auto r = box.run({"predict", "iris", "--input", "rows.csv"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("setosa") != std::string::npos);
    CHECK(r.out.find("virginica") != std::string::npos);
    CHECK(r.out.find("p(versicolor)") != std::string::npos);
    r = box.run({"predict", "iris@production", "--json"}, "[[5.1, 3.5, 1.4, 0.2]]");
    const auto answer = r.json();
    CHECK(answer["version"] == 1);
    CHECK(answer["predictions"][0] == "setosa");
    CHECK(answer["probabilities"][0].size() == 3);
    require_one_line_error(box.run({"predict", "iris"}, "[[5.1, 3.5]]"), "expects 4");
    require_one_line_error(box.run({"predict", "iris@7"}, "[[5.1, 3.5, 1.4, 0.2]]"),
                           "no version 7");
    require_one_line_error(box.run({"predict", "iris", "--input", "nope.csv"}), "nope.csv");
}

TEST_CASE("mlpipe serve answers HTTP on loopback, including bad requests", "[cli]") {
    sandbox box;
    box.init_with_iris();
    REQUIRE(box.run({"train", "--model", "iris", "--dataset", "iris", "--promote", "production"})
                .code == 0);
    REQUIRE(box.run({"worker", "--max-requests", "1"}).code == 0);
    const pid_t server = box.start({"serve", "--port", "0"}, "serve.log");
    int port = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port == 0) {
        const auto log = slurp(box.dir() / "serve.log");
        if (const auto at = log.find("http://127.0.0.1:"); at != std::string::npos)
            port = std::atoi(log.c_str() + at + 17);
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto [status, body] = http(port, "GET", "/healthz");
    CHECK(status == 200);
    CHECK(nlohmann::json::parse(body)["status"] == "ok");
    std::tie(status, body) = http(port, "GET", "/v1/models");
    CHECK(status == 200);
    CHECK(nlohmann::json::parse(body)["models"][0]["aliases"]["production"] == 1);
    std::tie(status, body) = http(port, "POST", "/v1/models/iris:predict",
                                  R"({"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]})");
    CHECK(status == 200);
    auto j = nlohmann::json::parse(body);
    CHECK(j["predictions"] == nlohmann::json({"setosa", "virginica"}));
    CHECK(j["version"] == 1);
    std::tie(status, body) = http(port, "POST", "/v1/models/iris/versions/1:predict",
                                  R"({"instances": [{"sepal_length": 5.1, "sepal_width": 3.5,
                                      "petal_length": 1.4, "petal_width": 0.2}]})");
    CHECK(status == 200);
    std::tie(status, body) = http(port, "GET", "/v1/models/iris");
    CHECK(status == 200);
    CHECK(nlohmann::json::parse(body)["kind"] == "logistic_regression");
    // bad requests
    std::tie(status, body) = http(port, "POST", "/v1/models/iris:predict", "{not json");
    CHECK(status == 400);
    CHECK(nlohmann::json::parse(body)["error"]["type"] == "invalid_input");
    std::tie(status, body) =
        http(port, "POST", "/v1/models/iris:predict", R"({"instances": [[1, 2]]})");
    CHECK(status == 400);
    std::tie(status, body) =
        http(port, "POST", "/v1/models/ghost:predict", R"({"instances": [[1, 2, 3, 4]]})");
    CHECK(status == 404);
    std::tie(status, body) = http(port, "GET", "/v1/models/iris:predict");
    CHECK(status == 405);
    std::tie(status, body) = http(port, "GET", "/no/such/route");
    CHECK(status == 404);
    CHECK(nlohmann::json::parse(body)["error"]["type"] == "not_found");
    std::tie(status, body) = http(port, "POST", "/v1/models/iris:predict",
                                  "{\"instances\": [" + std::string(7 * 1024 * 1024, ' ') + "]}");
    CHECK(status == 413);
    CHECK(box.stop(server) == 0);
    const auto log = slurp(box.dir() / "serve.log");
    CHECK(log.find("POST /v1/models/iris:predict 200") != std::string::npos);
    CHECK(log.find("stopped") != std::string::npos);
}

TEST_CASE("mlpipe demo runs the end-to-end pipeline in a directory of its own", "[cli]") {
    sandbox box;
    const auto r = box.run({"demo", iris_csv, "--dir", "demo"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("audit log of alias \"production\"") != std::string::npos);
    CHECK(fs::exists(box.dir() / "demo" / "queue.db"));
    // The demo's stores are ordinary ones: the other commands read them.
    const auto models = box.run({"--warehouse", "sqlite://demo/warehouse.db", "--queue",
                                 "sqlite://demo/queue.db?queue=training", "--models",
                                 "file://demo/models", "models", "--json"})
                            .json();
    REQUIRE(models.size() == 1);
    CHECK(models[0]["model"] == "digits");
    require_one_line_error(box.run({"demo", iris_csv, "--dir", "demo"}), "earlier demo");
}

TEST_CASE("mlpipe models verify checks a signature with --key-file", "[cli]") {
    sandbox box;
    const std::string signed_file =
        std::string(MLPIPE_TEST_DATA_DIR) + "/../artifacts/v1/logistic_regression.signed.mlpa";
    auto r = box.run({"models", "verify", signed_file, "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.json()["signed"] == true);
    std::ofstream(box.dir() / "golden.key") << "mlpipe golden test key (not a secret)\n";
    std::ofstream(box.dir() / "other.key") << "another key of 16+ bytes";
    r = box.run({"models", "verify", signed_file, "--key-file", "golden.key"});
    if (r.err.find("without OpenSSL") != std::string::npos) return;  // built without it
    CHECK(r.code == 0);
    CHECK(r.out.find("valid (HMAC-SHA256)") != std::string::npos);
    require_one_line_error(box.run({"models", "verify", signed_file, "--key-file", "other.key"}),
                           "signature does not match");
}
