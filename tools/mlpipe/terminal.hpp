// SPDX-License-Identifier: Apache-2.0
// The mlpipe command line's output: colour only on a terminal (never with NO_COLOR), aligned
// tables, human units (ms, MB, "3 min ago"), and a progress bar drawn on standard error when it is
// a terminal.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace mlpipe::cli {

/// Where output goes and how it looks.
struct terminal {
    bool color = false;      ///< ANSI colours on standard output
    bool err_color = false;  ///< ANSI colours on standard error
    bool progress = false;   ///< redraw progress lines on standard error (a terminal)

    /// Decides from the streams and the environment; `no_color` is the --no-color flag.
    static terminal detect(bool no_color) {
        terminal t;
        const char* env = std::getenv("NO_COLOR");
        const bool allowed = !no_color && (env == nullptr || env[0] == '\0');
        t.color = allowed && ::isatty(STDOUT_FILENO) == 1;
        t.err_color = allowed && ::isatty(STDERR_FILENO) == 1;
        t.progress = ::isatty(STDERR_FILENO) == 1;
        return t;
    }

    [[nodiscard]] std::string paint(std::string_view text, const char* code) const {
        if (!color) return std::string(text);
        return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
    }
    [[nodiscard]] std::string bold(std::string_view t) const { return paint(t, "1"); }
    [[nodiscard]] std::string dim(std::string_view t) const { return paint(t, "2"); }
    [[nodiscard]] std::string green(std::string_view t) const { return paint(t, "32"); }
    [[nodiscard]] std::string red(std::string_view t) const { return paint(t, "31"); }
    [[nodiscard]] std::string yellow(std::string_view t) const { return paint(t, "33"); }
    [[nodiscard]] std::string cyan(std::string_view t) const { return paint(t, "36"); }

    /// A status word coloured by meaning (published/ok green, rejected/queued yellow, failed red).
    [[nodiscard]] std::string status(std::string_view s) const {
        if (s == "published" || s == "ok" || s == "idle" || s == "yes" || s == "due")
            return green(s);
        if (s == "failed" || s == "dead" || s == "error" || s == "no") return red(s);
        if (s == "rejected" || s == "queued" || s == "training" || s == "retrying")
            return yellow(s);
        return std::string(s);
    }
};

/// The printed width of `s`: UTF-8 code points, ANSI escape sequences excluded.
[[nodiscard]] inline std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\033') {
            while (i < s.size() && s[i] != 'm')
                ++i;
            continue;
        }
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
    }
    return n;
}

/// An aligned table: columns separated by two spaces, numbers right-aligned.
class table {
  public:
    explicit table(std::vector<std::string> header) : header_(std::move(header)) {}
    void add(std::vector<std::string> row) {
        row.resize(header_.size());
        rows_.push_back(std::move(row));
    }
    /// Right-aligns column `c` (numbers).
    void right(std::size_t c) {
        if (right_.size() <= c) right_.resize(c + 1, false);
        right_[c] = true;
    }
    [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

    void print(const terminal& t, std::FILE* out = stdout, const std::string& indent = "") const {
        std::vector<std::size_t> width(header_.size(), 0);
        for (std::size_t c = 0; c < header_.size(); ++c) {
            width[c] = display_width(header_[c]);
            for (const auto& r : rows_)
                width[c] = std::max(width[c], display_width(r[c]));
        }
        const auto line = [&](const std::vector<std::string>& cells, bool head) {
            std::string text = indent;
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const std::size_t pad = width[c] - display_width(cells[c]);
                const bool is_right = c < right_.size() && right_[c];
                const bool last = c + 1 == cells.size();
                if (is_right) text += std::string(pad, ' ');
                text += head ? t.bold(cells[c]) : cells[c];
                if (!is_right && !last) text += std::string(pad, ' ');
                if (!last) text += "  ";
            }
            while (!text.empty() && text.back() == ' ')
                text.pop_back();
            std::fprintf(out, "%s\n", text.c_str());
        };
        line(header_, true);
        for (const auto& r : rows_)
            line(r, false);
    }

  private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<bool> right_;
};

/// "512 B", "1.4 KB", "23.0 MB" (powers of 1024, as ls -h).
[[nodiscard]] inline std::string human_bytes(std::uint64_t n) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double x = static_cast<double>(n);
    std::size_t u = 0;
    while (x >= 1024.0 && u + 1 < std::size(units)) {
        x /= 1024.0;
        ++u;
    }
    char text[32];
    if (u == 0) {
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(n));
    } else {
        std::snprintf(text, sizeof text, "%.1f %s", x, units[u]);
    }
    return text;
}

/// "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
[[nodiscard]] inline std::string human_seconds(double s) {
    char text[48];
    if (!std::isfinite(s) || s < 0) return "-";
    if (s < 1.0) {
        std::snprintf(text, sizeof text, "%.0f ms", s * 1000.0);
    } else if (s < 60.0) {
        std::snprintf(text, sizeof text, "%.1f s", s);
    } else if (s < 3600.0) {
        const auto whole = static_cast<long long>(s);
        std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
    } else {
        const auto whole = static_cast<long long>(s);
        std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, (whole % 3600) / 60);
    }
    return text;
}

/// Seconds since the UTC ISO-8601 time `iso` ("2026-01-02T03:04:05.678Z"); NaN when unreadable.
[[nodiscard]] inline double seconds_since_iso(const std::string& iso) {
    std::tm tm{};
    if (iso.size() < 19 || ::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr)
        return std::nan("");
    double t = static_cast<double>(::timegm(&tm));
    if (iso.size() > 20 && iso[19] == '.') t += std::atof(iso.c_str() + 19);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return now - t;
}

/// "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago".
[[nodiscard]] inline std::string human_age(const std::string& iso) {
    const double s = seconds_since_iso(iso);
    if (!std::isfinite(s)) return iso.empty() ? "-" : iso;
    if (s < 2) return "just now";
    const auto whole = static_cast<long long>(s);
    if (whole < 120) return std::to_string(whole) + " s ago";
    if (whole < 7200) return std::to_string(whole / 60) + " min ago";
    if (whole < 172800) return std::to_string(whole / 3600) + " h ago";
    return std::to_string(whole / 86400) + " d ago";
}

/// A number with 4 decimals ("0.9667"), or "-" when not finite.
[[nodiscard]] inline std::string fixed4(double x) {
    if (!std::isfinite(x)) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", x);
    return text;
}

/// A progress line on standard error: redrawn in place on a terminal, silent otherwise (the
/// caller prints the final result on standard output either way).
class progress_bar {
  public:
    progress_bar(const terminal& t, std::string label) : enabled_(t.progress), label_(label) {}
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;
    ~progress_bar() { finish(); }

    /// Draws `done` of `total` (total 0: an indeterminate line with `note` only). Redraws at most
    /// every 100 ms unless `force`.
    void update(std::uint64_t done, std::uint64_t total, const std::string& note = {},
                bool force = false) {
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        drawn_ = true;
        std::string text = "\r" + label_ + " ";
        if (total > 0) {
            const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
            constexpr int cells = 24;
            const int full = static_cast<int>(f * cells);
            text += "[";
            for (int i = 0; i < cells; ++i)
                text += i < full ? "#" : (i == full ? ">" : ".");
            char pct[64];
            std::snprintf(pct, sizeof pct, "] %3.0f%% %llu/%llu", f * 100.0,
                          static_cast<unsigned long long>(done),
                          static_cast<unsigned long long>(total));
            text += pct;
        }
        if (!note.empty()) text += " " + note;
        text += "\033[K";
        std::fputs(text.c_str(), stderr);
        std::fflush(stderr);
    }

    /// Clears the line (the caller prints the outcome).
    void finish() {
        if (enabled_ && drawn_) {
            std::fputs("\r\033[K", stderr);
            std::fflush(stderr);
        }
        drawn_ = false;
    }

  private:
    bool enabled_;
    bool drawn_ = false;
    std::string label_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace mlpipe::cli
