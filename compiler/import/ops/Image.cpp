//===- Image.cpp - ONNX importers: image resampling ----------------------===//
//
// The importers of one ONNX op family (registered by registerImage()):
// Resize (opsets 10 to 19), Upsample (7 and 9) and GridSample, and the
// image ops built from other edge ops: LpPool (a depthwise convolution with
// ones), AffineGrid (a matmul with a constant base grid) and Col2Im (a
// gather of a constant index table and a sum). Resize's scales, sizes and
// roi, AffineGrid's size and Col2Im's shapes must be known at compile time.
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

/// The most entries of a table built at compile time (an index table or a
/// base grid).
constexpr int64_t kMaxTable = int64_t(1) << 24;

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
        double size = std::floor(s * double(in[d]) + 0.5);
        if (size >= double(kMaxElements))
          return fail("keep_aspect_ratio_policy gives more than 2^31 - 1 "
                      "elements along dimension " +
                      Twine(d));
        sizes[d] = int64_t(size);
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

FailureOr<Importer::Values> Importer::importLpPool(const onnx::NodeProto &n) {
  // (sum of |x|^p over the window)^(1/p): the window sums are a depthwise
  // convolution with a filter of ones, over the zero-padded input.
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  auto type = typeOf(x);
  int64_t rank = type.getRank();
  if (rank < 3 || rank > 5)
    return fail("only 1-D, 2-D and 3-D LpPool (rank-3, 4 or 5 input) is "
                "supported, the input has rank " +
                Twine(rank));
  if (!isa<FloatType>(type.getElementType()))
    return fail("LpPool needs a float tensor");
  size_t k = rank - 2;
  auto kernel = intsAttr(n, "kernel_shape");
  if (kernel.size() != k)
    return fail("kernel_shape must have " + Twine(k) + " entries");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  if (strides.size() != k || dilations.size() != k)
    return fail("strides and dilations need " + Twine(k) + " entries");
  if (failed(checkWindowValues(kernel, strides, dilations)))
    return failure();
  ASSIGN_OR_FAIL(int64_t ceil, intAttr(n, "ceil_mode", 0));
  if (ceil)
    return fail("LpPool with ceil_mode is not supported");
  ASSIGN_OR_FAIL(int64_t p, intAttr(n, "p", 2));
  if (p < 1 || p > 64)
    return fail("p must be between 1 and 64, got " + Twine(p));
  SmallVector<int64_t> pads;
  if (failed(resolvePads(n, type.getShape().drop_front(2), kernel, strides,
                         dilations, pads)))
    return failure();
  Type et = type.getElementType();
  auto scalar = [&](double v) {
    return constant(DenseElementsAttr::get(RankedTensorType::get({}, et),
                                           builder.getFloatAttr(et, v)));
  };
  Value powered;
  if (p == 2) {
    ASSIGN_OR_FAIL(powered, make<edge::MulOp>({x, x}));
  } else {
    ASSIGN_OR_FAIL(Value a, make<edge::UnaryFnOp>(
                                x, {named("fn", builder.getStringAttr("abs"))}));
    if (p == 1) {
      powered = a;
    } else {
      ASSIGN_OR_FAIL(powered, make<edge::PowOp>({a, scalar(double(p))}));
    }
  }
  int64_t channels = type.getDimSize(1);
  SmallVector<int64_t> wShape{channels, 1};
  wShape.append(kernel.begin(), kernel.end());
  Value ones = constant(DenseElementsAttr::get(
      RankedTensorType::get(wShape, et), builder.getFloatAttr(et, 1.0)));
  ASSIGN_OR_FAIL(Value sums,
                 conv(powered, ones, Value(), strides, dilations, pads,
                      channels));
  if (p == 1)
    return Values{sums};
  if (p == 2)
    return single(make<edge::SqrtOp>(sums));
  return single(make<edge::PowOp>({sums, scalar(1.0 / double(p))}));
}

FailureOr<Importer::Values>
Importer::importAffineGrid(const onnx::NodeProto &n) {
  // grid = base x theta^T, the base grid [x, y, (z,) 1] of every output
  // position (x along the last dim) computed here.
  ASSIGN_OR_FAIL(Value theta, input(n, 0));
  auto tt = typeOf(theta);
  // A run-time size: N and the spatial dims of the declared grid [N, (D,)
  // H, W, k]; C does not change the grid.
  ASSIGN_OR_FAIL(SmallVector<int64_t> size,
                 shapeInts(n, 1, "the size",
                           [&]() -> std::optional<SmallVector<int64_t>> {
                             auto d = declaredShape(n);
                             if (!d || d->size() < 4 || d->size() > 5)
                               return std::nullopt;
                             SmallVector<int64_t> s{(*d)[0], 1};
                             s.append(d->begin() + 1, d->end() - 1);
                             return s;
                           }));
  ASSIGN_OR_FAIL(int64_t align, intAttr(n, "align_corners", 0));
  int64_t k = int64_t(size.size()) - 2;
  if (k != 2 && k != 3)
    return fail("size must have 4 (2-D) or 5 (3-D) entries, got " +
                Twine(size.size()));
  if (!isa<FloatType>(tt.getElementType()) || tt.getRank() != 3 ||
      tt.getDimSize(0) != size[0] || tt.getDimSize(1) != k ||
      tt.getDimSize(2) != k + 1)
    return fail("theta must be a float tensor of shape " + Twine(size[0]) +
                "x" + Twine(k) + "x" + Twine(k + 1));
  SmallVector<int64_t> spatial(size.begin() + 2, size.end());
  int64_t count = 1;
  for (int64_t d : spatial) {
    if (d <= 0 || d >= kMaxElements)
      return fail("size entries must be between 1 and 2^31 - 1");
    count *= d;
    if (count * (k + 1) >= kMaxTable)
      return fail("the base grid would have more than 2^24 entries");
  }
  auto position = [&](int64_t i, int64_t len) {
    if (align)
      return len == 1 ? -1.0 : -1.0 + double(i) * 2.0 / double(len - 1);
    return -1.0 + (2.0 * double(i) + 1.0) / double(len);
  };
  SmallVector<double> base;
  for (int64_t flat = 0; flat < count; ++flat) {
    SmallVector<int64_t> at(k);
    for (int64_t d = k - 1, r = flat; d >= 0; --d) {
      at[d] = r % spatial[d];
      r /= spatial[d];
    }
    for (int64_t d = k - 1; d >= 0; --d)
      base.push_back(position(at[d], spatial[d]));
    base.push_back(1.0);
  }
  Type et = tt.getElementType();
  SmallVector<APFloat> values;
  for (double v : base) {
    APFloat f(v);
    bool lost;
    f.convert(cast<FloatType>(et).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  Value grid = constant(DenseElementsAttr::get(
      RankedTensorType::get({count, k + 1}, et), values));
  ASSIGN_OR_FAIL(Value thetaT,
                 make<edge::TransposeOp>(
                     theta, {named("perm", builder.getDenseI64ArrayAttr(
                                               {0, 2, 1}))}));
  ASSIGN_OR_FAIL(Value out, make<edge::MatMulOp>({grid, thetaT}));
  SmallVector<int64_t> shape{size[0]};
  shape.append(spatial.begin(), spatial.end());
  shape.push_back(k);
  return single(reshape(out, shape));
}

FailureOr<Importer::Values> Importer::importCol2Im(const onnx::NodeProto &n) {
  // Every image pixel sums the columns entries that cover it: a gather of
  // (pixel, kernel offset) from the columns with one zero appended (where an
  // offset covers no block), then a sum over the offsets.
  ASSIGN_OR_FAIL(Value x, input(n, 0));
  ASSIGN_OR_FAIL(SmallVector<int64_t> image,
                 constInts(n, 1, "the image_shape"));
  ASSIGN_OR_FAIL(SmallVector<int64_t> block,
                 constInts(n, 2, "the block_shape"));
  auto xt = typeOf(x);
  size_t k = image.size();
  if (k == 0 || block.size() != k)
    return fail("image_shape and block_shape must have the same, non-zero "
                "number of entries");
  auto strides = intsAttr(n, "strides", SmallVector<int64_t>(k, 1));
  auto dilations = intsAttr(n, "dilations", SmallVector<int64_t>(k, 1));
  auto pads = intsAttr(n, "pads", SmallVector<int64_t>(2 * k, 0));
  if (strides.size() != k || dilations.size() != k || pads.size() != 2 * k)
    return fail("strides and dilations need " + Twine(k) +
                " entries and pads " + Twine(2 * k));
  if (failed(checkWindowValues(block, strides, dilations)))
    return failure();
  int64_t kernelCount = 1, pixels = 1, blocks = 1;
  SmallVector<int64_t> perDim(k);
  for (size_t d = 0; d < k; ++d) {
    if (image[d] <= 0 || image[d] >= kMaxElements || pads[d] < 0 ||
        pads[k + d] < 0 || pads[d] >= kMaxElements ||
        pads[k + d] >= kMaxElements)
      return fail("image_shape entries must be positive and pads "
                  "non-negative (below 2^31)");
    int64_t span = dilations[d] * (block[d] - 1) + 1;
    int64_t room = image[d] + pads[d] + pads[k + d] - span;
    if (room < 0)
      return fail("the block (" + Twine(span) +
                  " with dilation) is larger than the padded image (" +
                  Twine(image[d] + pads[d] + pads[k + d]) + ")");
    perDim[d] = room / strides[d] + 1;
    kernelCount *= block[d];
    pixels *= image[d];
    if (perDim[d] >= kMaxElements || (blocks *= perDim[d]) >= kMaxElements)
      return fail("the image holds more than 2^31 blocks");
    if (kernelCount >= kMaxTable || pixels >= kMaxTable ||
        pixels * kernelCount >= kMaxTable)
      return fail("the index table (image pixels x block size) would have "
                  "more than 2^24 entries");
  }
  if (xt.getRank() != 3 || xt.getDimSize(1) % kernelCount != 0 ||
      xt.getDimSize(2) != blocks)
    return fail("the input must be N x (C * " + Twine(kernelCount) + ") x " +
                Twine(blocks) + ", got " + shapeText(xt.getShape()));
  int64_t batch = xt.getDimSize(0), channels = xt.getDimSize(1) / kernelCount;
  int64_t zero = kernelCount * blocks; // the appended zero
  SmallVector<int64_t> index;
  SmallVector<int64_t> pix(k), off(k);
  for (int64_t p = 0; p < pixels; ++p) {
    for (int64_t d = k - 1, r = p; d >= 0; --d) {
      pix[d] = r % image[d];
      r /= image[d];
    }
    for (int64_t o = 0; o < kernelCount; ++o) {
      for (int64_t d = k - 1, r = o; d >= 0; --d) {
        off[d] = r % block[d];
        r /= block[d];
      }
      int64_t column = 0;
      bool covered = true;
      for (size_t d = 0; d < k && covered; ++d) {
        int64_t at = pix[d] + pads[d] - off[d] * dilations[d];
        covered = at >= 0 && at % strides[d] == 0 &&
                  at / strides[d] < perDim[d];
        column = column * perDim[d] + at / strides[d];
      }
      index.push_back(covered ? o * blocks + column : zero);
    }
  }
  ASSIGN_OR_FAIL(x, reshape(x, {batch, channels, kernelCount * blocks}));
  Type et = xt.getElementType();
  auto zt = RankedTensorType::get({batch, channels, 1}, et);
  Value zeros = constant(DenseElementsAttr::get(
      zt, isa<FloatType>(et) ? Attribute(builder.getFloatAttr(et, 0.0))
                             : Attribute(builder.getIntegerAttr(et, 0))));
  ASSIGN_OR_FAIL(x, make<edge::ConcatOp>(
                        {x, zeros}, {named("axis", builder.getI64IntegerAttr(2))}));
  Value table = constant(DenseElementsAttr::get(
      RankedTensorType::get({pixels, kernelCount}, builder.getI64Type()),
      ArrayRef<int64_t>(index)));
  ASSIGN_OR_FAIL(Value g, make<edge::GatherOp>(
                              {x, table},
                              {named("axis", builder.getI64IntegerAttr(2))}));
  ASSIGN_OR_FAIL(Value sum,
                 make<edge::ReduceSumOp>(
                     g, {named("axes", builder.getDenseI64ArrayAttr({3})),
                         named("keepdims", builder.getBoolAttr(false))}));
  SmallVector<int64_t> shape{batch, channels};
  shape.append(image.begin(), image.end());
  return single(reshape(sum, shape));
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
      // Run-time sizes stretch the axes to the declared result's dims.
      ASSIGN_OR_FAIL(
          r.sizes,
          shapeInts(n, 3, "the sizes",
                    [&]() -> std::optional<SmallVector<int64_t>> {
                      auto d = declaredShape(n);
                      int64_t rank = typeOf(x).getRank();
                      if (!d || int64_t(d->size()) != rank ||
                          r.aspectPolicy != "stretch")
                        return std::nullopt;
                      if (r.axes.empty())
                        return d;
                      SmallVector<int64_t> sizes;
                      for (int64_t a : r.axes) {
                        if (a < -rank || a >= rank)
                          return std::nullopt;
                        sizes.push_back((*d)[a < 0 ? a + rank : a]);
                      }
                      return sizes;
                    }));
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
  handlers["LpPool"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    return importLpPool(n);
  };
  handlers["AffineGrid"] =
      [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    return importAffineGrid(n);
  };
  handlers["Col2Im"] = [this](const onnx::NodeProto &n) -> FailureOr<Values> {
    return importCol2Im(n);
  };
}

} // namespace edgec::detail
