//===- Image.cpp - ONNX importers: image resampling ----------------------===//
//
// The importers of one ONNX op family (registered by registerImage()):
// Resize (opsets 10 to 19), Upsample (7 and 9) and GridSample. Resize's
// scales, sizes and roi decide the output shape or the sampling positions:
// they must be known at compile time.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/Importer.h"

#include <cmath>

using namespace mlir;

namespace edgec::detail {

namespace {
/// The entries of a float or integer constant as doubles.
SmallVector<double> doubles(DenseElementsAttr a) {
  SmallVector<double> out;
  if (isa<FloatType>(a.getElementType())) {
    for (APFloat x : a.getValues<APFloat>())
      out.push_back(x.convertToDouble());
  } else {
    for (APInt x : a.getValues<APInt>())
      out.push_back(double(x.getSExtValue()));
  }
  return out;
}

/// `v` as %g prints it.
std::string num(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
} // namespace

/// The ONNX attributes of one resampling, before they are resolved to one
/// scale and size per dimension.
struct ResizeRequest {
  std::string mode = "nearest";
  std::string coordinateMode = "half_pixel";
  std::string nearestMode = "round_prefer_floor";
  std::string aspectPolicy = "stretch";
  double cubicA = -0.75, extrapolation = 0;
  bool excludeOutside = false, antialias = false;
  SmallVector<int64_t> axes;
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
};

FailureOr<Importer::Values>
Importer::importResize(const onnx::NodeProto &n, ResizeRequest r, Value x) {
  auto type = typeOf(x);
  auto in = type.getShape();
  int64_t rank = in.size();
  if (r.mode == "bilinear" || r.mode == "trilinear")
    r.mode = "linear";
  if (r.mode != "nearest" && r.mode != "linear" && r.mode != "cubic")
    return fail("unknown mode '" + r.mode + "'");
  if (r.mode != "nearest" && !isa<FloatType>(type.getElementType()))
    return fail(r.mode + " interpolation of integer tensors is not supported");
  if (r.antialias && r.mode == "nearest")
    return fail("antialias applies to linear and cubic modes only");
  // The axes the scales, sizes and roi are given for.
  SmallVector<int64_t> axes;
  SmallVector<bool> seen(rank, false);
  if (r.axes.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  } else {
    for (int64_t a : r.axes) {
      ASSIGN_OR_FAIL(int64_t d, normAxis(a, rank, "axis"));
      if (seen[d])
        return fail("axis " + Twine(d) + " is repeated");
      seen[d] = true;
      axes.push_back(d);
    }
  }
  int64_t count = axes.size();
  if (!r.scales.empty() && !r.sizes.empty())
    return fail("only one of scales and sizes may be given");
  if (r.scales.empty() && r.sizes.empty())
    return fail("one of scales and sizes must be given");
  SmallVector<double> scales(rank, 1.0);
  SmallVector<int64_t> sizes(in);
  if (!r.scales.empty()) {
    if (int64_t(r.scales.size()) != count)
      return fail("scales has " + Twine(r.scales.size()) +
                  " entries, expected " + Twine(count));
    for (auto [i, d] : llvm::enumerate(axes)) {
      double s = r.scales[i];
      if (!(s > 0) || !std::isfinite(s))
        return fail("scale " + num(s) + " is not positive");
      scales[d] = s;
      double out = std::floor(s * double(in[d]));
      if (!(out >= 1) || out >= double(kMaxElements))
        return fail("scale " + num(s) + " gives " + num(out) +
                    " elements along dimension " + Twine(d) + " (input " +
                    Twine(in[d]) + ")");
      sizes[d] = int64_t(out);
    }
  } else {
    if (int64_t(r.sizes.size()) != count)
      return fail("sizes has " + Twine(r.sizes.size()) +
                  " entries, expected " + Twine(count));
    for (auto [i, d] : llvm::enumerate(axes)) {
      if (r.sizes[i] <= 0 || r.sizes[i] >= kMaxElements)
        return fail("output size " + Twine(r.sizes[i]) +
                    " is not between 1 and 2^31 - 1");
      sizes[d] = r.sizes[i];
      scales[d] = double(r.sizes[i]) / double(in[d]);
    }
    if (r.aspectPolicy != "stretch") {
      if (r.aspectPolicy != "not_larger" && r.aspectPolicy != "not_smaller")
        return fail("unknown keep_aspect_ratio_policy '" + r.aspectPolicy +
                    "'");
      // One scale for every listed axis, the smallest or the largest; the
      // sizes rounded half up from it.
      double s = scales[axes[0]];
      for (int64_t d : axes)
        s = r.aspectPolicy == "not_larger" ? std::min(s, scales[d])
                                           : std::max(s, scales[d]);
      for (int64_t d : axes) {
        scales[d] = s;
        sizes[d] = int64_t(s * double(in[d]) + 0.5);
        if (sizes[d] < 1)
          return fail("keep_aspect_ratio_policy gives an empty dimension " +
                      Twine(d));
      }
    }
  }
  SmallVector<double> roi;
  if (r.coordinateMode == "tf_crop_and_resize") {
    if (int64_t(r.roi.size()) != 2 * count)
      return fail("tf_crop_and_resize needs a roi of " + Twine(2 * count) +
                  " entries, got " + Twine(r.roi.size()));
    roi.assign(rank, 0.0);
    roi.append(rank, 1.0);
    for (auto [i, d] : llvm::enumerate(axes)) {
      roi[d] = r.roi[i];
      roi[rank + d] = r.roi[count + i];
    }
  }
  return single(make<edge::ResizeOp>(
      x, {named("mode", builder.getStringAttr(r.mode)),
          named("coordinate_mode", builder.getStringAttr(r.coordinateMode)),
          named("nearest_mode", builder.getStringAttr(r.nearestMode)),
          named("cubic_coeff_a", builder.getF64FloatAttr(r.cubicA)),
          named("exclude_outside", builder.getBoolAttr(r.excludeOutside)),
          named("extrapolation_value",
                builder.getF64FloatAttr(r.extrapolation)),
          named("antialias", builder.getBoolAttr(r.antialias)),
          named("scales", builder.getDenseF64ArrayAttr(scales)),
          named("roi", builder.getDenseF64ArrayAttr(roi)),
          named("sizes", builder.getDenseI64ArrayAttr(sizes))}));
}

void Importer::registerImage() {
  handlers["Resize"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ResizeRequest r;
    r.mode = strAttr(n, "mode", "nearest");
    if (opset < 11) {
      // Resize-10 samples as Upsample: asymmetric coordinates, nearest
      // rounds down.
      r.coordinateMode = "asymmetric";
      r.nearestMode = "floor";
      ASSIGN_OR_FAIL(DenseElementsAttr s, constInput(n, 1, "the scales"));
      r.scales = doubles(s);
      return importResize(n, r, x);
    }
    r.coordinateMode =
        strAttr(n, "coordinate_transformation_mode", "half_pixel");
    r.nearestMode = strAttr(n, "nearest_mode", "round_prefer_floor");
    r.aspectPolicy = strAttr(n, "keep_aspect_ratio_policy", "stretch");
    ASSIGN_OR_FAIL(r.cubicA, floatAttr(n, "cubic_coeff_a", -0.75f));
    ASSIGN_OR_FAIL(r.extrapolation, floatAttr(n, "extrapolation_value", 0.0f));
    ASSIGN_OR_FAIL(r.excludeOutside, intAttr(n, "exclude_outside", 0));
    ASSIGN_OR_FAIL(r.antialias, intAttr(n, "antialias", 0));
    r.axes = intsAttr(n, "axes");
    if (r.coordinateMode == "tf_crop_and_resize") {
      if (!hasInput(n, 1))
        return fail("tf_crop_and_resize needs the roi input");
      ASSIGN_OR_FAIL(DenseElementsAttr roi, constInput(n, 1, "the roi"));
      r.roi = doubles(roi);
    }
    if (hasInput(n, 2)) {
      ASSIGN_OR_FAIL(DenseElementsAttr s, constInput(n, 2, "the scales"));
      r.scales = doubles(s);
    }
    if (hasInput(n, 3)) {
      ASSIGN_OR_FAIL(r.sizes, constInts(n, 3, "the sizes"));
    }
    return importResize(n, r, x);
  };
  handlers["Upsample"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Value x, input(n, 0));
    ResizeRequest r;
    r.mode = strAttr(n, "mode", "nearest");
    r.coordinateMode = "asymmetric";
    r.nearestMode = "floor";
    if (opset < 7)
      return fail("Upsample before opset 7 is not supported");
    if (opset < 9) {
      const auto *a = attr(n, "scales");
      if (!a)
        return fail("Upsample needs a 'scales' attribute");
      r.scales.assign(a->floats().begin(), a->floats().end());
    } else {
      ASSIGN_OR_FAIL(DenseElementsAttr s, constInput(n, 1, "the scales"));
      r.scales = doubles(s);
    }
    return importResize(n, r, x);
  };
  handlers["GridSample"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    ASSIGN_OR_FAIL(Values ins, inputs(n, 2));
    std::string mode = strAttr(n, "mode", opset < 20 ? "bilinear" : "linear");
    if (mode == "bilinear")
      mode = "linear";
    else if (mode == "bicubic")
      mode = "cubic";
    std::string padding = strAttr(n, "padding_mode", "zeros");
    ASSIGN_OR_FAIL(int64_t align, intAttr(n, "align_corners", 0));
    auto xt = typeOf(ins[0]), gt = typeOf(ins[1]);
    if (!isa<FloatType>(xt.getElementType()) ||
        !isa<FloatType>(gt.getElementType()))
      return fail("GridSample needs float input and grid tensors");
    if (mode == "cubic" && xt.getRank() != 4)
      return fail("cubic GridSample is defined for 2-D (rank-4) inputs only");
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return fail("unknown mode '" + mode + "'");
    return single(make<edge::GridSampleOp>(
        ins, {named("mode", builder.getStringAttr(mode)),
              named("padding_mode", builder.getStringAttr(padding)),
              named("align_corners", builder.getBoolAttr(align != 0))}));
  };
}

} // namespace edgec::detail
