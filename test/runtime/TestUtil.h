// Helpers shared by the runtime unit tests: temporary folders, files and
// protobuf encoding.
#ifndef EDGEC_TEST_RUNTIME_TESTUTIL_H
#define EDGEC_TEST_RUNTIME_TESTUTIL_H

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace testutil {

// Removes a file or a folder tree.
inline void removeTree(const std::string &path) {
  struct stat sb;
  if (lstat(path.c_str(), &sb) != 0)
    return;
  if (S_ISDIR(sb.st_mode)) {
    if (DIR *d = opendir(path.c_str())) {
      while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..")
          removeTree(path + "/" + name);
      }
      closedir(d);
    }
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

// A fresh folder under the test temp dir, removed when the object dies.
class TempDir {
public:
  TempDir() {
    std::string tmpl = testing::TempDir() + "edgert-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr)
      ADD_FAILURE() << "mkdtemp failed";
    path_ = buf.data();
  }
  ~TempDir() { removeTree(path_); }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

inline std::string readFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Protobuf wire-format encoding.
inline std::string varint(uint64_t v) {
  std::string s;
  do {
    unsigned char b = v & 0x7f;
    v >>= 7;
    s += char(b | (v ? 0x80 : 0));
  } while (v);
  return s;
}
inline std::string key(int field, int wire) {
  return varint(uint64_t(field) << 3 | uint64_t(wire));
}
inline std::string fieldVarint(int field, uint64_t v) {
  return key(field, 0) + varint(v);
}
inline std::string fieldBytes(int field, const std::string &payload) {
  return key(field, 2) + varint(payload.size()) + payload;
}
template <typename T> std::string bytesOf(const T *values, size_t n) {
  return std::string(reinterpret_cast<const char *>(values), n * sizeof(T));
}

} // namespace testutil

#endif
