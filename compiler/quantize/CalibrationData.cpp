//===- CalibrationData.cpp - the samples calibration runs on --------------===//
#include "compiler/quantize/CalibrationData.h"

#include "compiler/support/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace edgec {

static std::string describe(const TensorSignature &t) {
  return std::string(dtypeName(t.dtype)) + " " + shapeString(t.shape);
}

/// Checks one sample's array for input `t`.
static std::string checkArray(const std::string &file, const NpyArray &a,
                              const TensorSignature &t) {
  if (a.dtype != t.dtype || a.shape != t.shape)
    return file + ": " + a.dtypeName + " " + shapeString(a.shape) +
           " does not match input '" + t.name + "' of the model (" +
           describe(t) + ")";
  return "";
}

static std::string loadNpz(const std::string &path,
                           const std::vector<TensorSignature> &inputs,
                           CalibrationSet &out) {
  std::vector<std::pair<std::string, NpyArray>> arrays;
  std::string err = readNpzFile(path, arrays);
  if (!err.empty())
    return path + ": " + err;
  std::string names;
  for (const TensorSignature &t : inputs)
    names += (names.empty() ? "'" : ", '") + t.name + "'";
  int64_t count = -1;
  std::vector<const NpyArray *> byInput;
  for (const TensorSignature &t : inputs) {
    auto it = llvm::find_if(arrays, [&](auto &p) { return p.first == t.name; });
    if (it == arrays.end())
      return path + ": no array named '" + t.name +
             "' (the model's inputs: " + names + ")";
    const NpyArray &a = it->second;
    std::vector<int64_t> expected{a.shape.empty() ? 0 : a.shape[0]};
    expected.insert(expected.end(), t.shape.begin(), t.shape.end());
    if (a.dtype != t.dtype || a.shape.empty() || a.shape != expected)
      return path + ": array '" + t.name + "' is " + a.dtypeName + " " +
             shapeString(a.shape) + ", expected " + dtypeName(t.dtype) + " Nx" +
             shapeString(t.shape) +
             " (a leading sample axis, then the input's shape)";
    if (count >= 0 && a.shape[0] != count)
      return path + ": array '" + t.name + "' has " +
             std::to_string(a.shape[0]) + " samples, the others " +
             std::to_string(count);
    count = a.shape[0];
    byInput.push_back(&a);
  }
  for (int64_t s = 0; s < count; ++s) {
    std::vector<std::vector<char>> sample;
    for (auto [i, t] : llvm::enumerate(inputs)) {
      const char *p = byInput[i]->data.data() + s * t.sizeBytes;
      sample.emplace_back(p, p + t.sizeBytes);
    }
    out.samples.push_back(std::move(sample));
    out.names.push_back(path + "[" + std::to_string(s) + "]");
  }
  return "";
}

std::string loadCalibrationSet(const std::string &path,
                               const std::vector<TensorSignature> &inputs,
                               CalibrationSet &out) {
  out = CalibrationSet();
  sys::fs::file_status status;
  if (sys::fs::status(path, status) || !sys::fs::exists(status))
    return "--calibration=" + path + ": no such file or directory";
  if (!sys::fs::is_directory(status)) {
    if (!StringRef(path).ends_with(".npz"))
      return "--calibration=" + path +
             ": expected a folder of samples or an .npz file";
    std::string err = loadNpz(path, inputs, out);
    if (err.empty() && out.samples.empty())
      return path + ": no calibration samples (its arrays are empty)";
    return err;
  }

  std::vector<std::string> folders, files;
  std::error_code ec;
  for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec)) {
    sys::fs::file_status st;
    if (sys::fs::status(it->path(), st))
      continue;
    if (sys::fs::is_directory(st))
      folders.push_back(it->path());
    else if (StringRef(it->path()).ends_with(".npy"))
      files.push_back(it->path());
  }
  if (ec)
    return path + ": " + ec.message();
  llvm::sort(folders);
  llvm::sort(files);
  if (folders.empty() && files.empty())
    return path + ": no calibration samples (expected one folder per sample "
                  "holding input_<i>.npy, or .npy files for a one-input model)";

  if (!folders.empty()) {
    for (const std::string &folder : folders) {
      std::vector<std::vector<char>> sample;
      for (auto [i, t] : llvm::enumerate(inputs)) {
        SmallString<256> file(folder);
        sys::path::append(file, "input_" + std::to_string(i) + ".npy");
        if (!sys::fs::exists(file))
          return file.str().str() + ": missing (sample '" +
                 sys::path::filename(folder).str() +
                 "' needs input_<i>.npy "
                 "for each of the model's " +
                 std::to_string(inputs.size()) + " inputs)";
        NpyArray a;
        std::string err = readNpyFile(file, a);
        if (!err.empty())
          return file.str().str() + ": " + err;
        err = checkArray(file.str().str(), a, t);
        if (!err.empty())
          return err;
        sample.push_back(std::move(a.data));
      }
      out.samples.push_back(std::move(sample));
      out.names.push_back(folder);
    }
    return "";
  }

  if (inputs.size() != 1)
    return path + ": holds .npy files, one sample each, but the model has " +
           std::to_string(inputs.size()) +
           " inputs (use one folder per sample with input_<i>.npy)";
  for (const std::string &file : files) {
    NpyArray a;
    std::string err = readNpyFile(file, a);
    if (!err.empty())
      return file + ": " + err;
    err = checkArray(file, a, inputs[0]);
    if (!err.empty())
      return err;
    out.samples.push_back({std::move(a.data)});
    out.names.push_back(file);
  }
  return "";
}

} // namespace edgec
