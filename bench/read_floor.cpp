// The floor of `bench/scale.sh small`: what reading and hashing every file
// of a tree of packs costs on this machine with no checks at all. Each of
// THREADS threads takes the next pack directory, walks it (readdir, typed
// entries, no links followed), and for each regular file does what any
// checker must: openat, fstat, read into a buffer the thread owns, SHA-256
// (OpenSSL, as mplp-gate), close. Nothing is parsed, validated or reported.
//
// usage: read-floor DIR [THREADS]   prints "<files> files <bytes> bytes"
//
// Built by bench/scale.sh with the system compiler; not part of mplp-gate.
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Totals {
  std::atomic<long> files{0}, bytes{0};
};

class Worker {
 public:
  explicit Worker(Totals& totals) : totals_(totals), buffer_(1 << 20), ctx_(EVP_MD_CTX_new()) {}
  ~Worker() { EVP_MD_CTX_free(ctx_); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void walk(int dir_fd) {
    DIR* dir = fdopendir(dir_fd);
    if (dir == nullptr) {
      close(dir_fd);
      return;
    }
    while (const dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (e->d_type == DT_DIR) {
        int sub = openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) walk(sub);
      } else if (e->d_type == DT_REG) {
        hash_file(dir_fd, e->d_name);
      }
    }
    closedir(dir);
  }

 private:
  void hash_file(int dir_fd, const char* name) {
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
      long n = 0, total = 0;
      while ((n = read(fd, buffer_.data(), buffer_.size())) > 0) {
        EVP_DigestUpdate(ctx_, buffer_.data(), static_cast<size_t>(n));
        total += n;
      }
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_DigestFinal_ex(ctx_, md, &len);
      totals_.files += 1;
      totals_.bytes += total;
    }
    close(fd);
  }

  Totals& totals_;
  std::vector<char> buffer_;
  EVP_MD_CTX* ctx_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read-floor DIR [THREADS]\n");
    return 2;
  }
  const std::string root = argv[1];
  unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  // The packs, listed once; threads take them in turn.
  std::vector<std::string> packs;
  if (DIR* dir = opendir(root.c_str())) {
    while (const dirent* e = readdir(dir))
      if (e->d_type == DT_DIR && e->d_name[0] != '.') packs.push_back(root + "/" + e->d_name);
    closedir(dir);
  } else {
    std::perror(root.c_str());
    return 2;
  }
  Totals totals;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      Worker worker(totals);
      for (std::size_t i = next++; i < packs.size(); i = next++) {
        int fd = open(packs[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) worker.walk(fd);
      }
    });
  for (std::thread& t : pool) t.join();
  std::printf("%ld files %ld bytes\n", totals.files.load(), totals.bytes.load());
  return 0;
}
