//===- EdgeImageOps.cpp - inference and verification: image ops ----------===//
//
// edge.resize and edge.grid_sample (the image resampling section at the end
// of EdgeOps.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/Edge/IR/EdgeOps.h"

#include <cmath>

using namespace mlir;
using namespace edge;

namespace {
using Loc = std::optional<Location>;

/// The most entries of one compile-time tap table.
constexpr int64_t kMaxTapTable = int64_t(1) << 24;

bool isOneOf(StringRef s, std::initializer_list<StringRef> names) {
  return llvm::is_contained(names, s);
}
} // namespace

int64_t edge::resizeTapCount(StringRef mode, bool antialias, double scale) {
  if (mode == "nearest")
    return 1;
  int64_t support = mode == "cubic" ? 2 : 1;
  if (!antialias || scale >= 1.0)
    return 2 * support;
  // The filter stretched by 1 / scale: taps start at floor(-support / scale)
  // + 1 and the footprint is symmetric around the left neighbour.
  double start = std::floor(-double(support) / scale) + 1;
  if (!(start > -double(kMaxElements)))
    return kMaxElements;
  return 2 - 2 * int64_t(start);
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (!in.hasStaticShape())
    return emitOptionalError(loc, "dynamic shapes are not supported, got ",
                             in);
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (int64_t(sizes.size()) != in.getRank())
    return emitOptionalError(loc, "C1: ", sizes.size(),
                             " sizes for a rank-", in.getRank(), " input");
  for (int64_t s : sizes)
    if (s <= 0 || s >= kMaxElements)
      return emitOptionalError(loc, "C1: output size ", s,
                               " is not between 1 and 2^31 - 1");
  types.push_back(in.clone(sizes));
  return success();
}

LogicalResult ResizeOp::verify() {
  auto in = getInput().getType();
  int64_t rank = in.getRank();
  if (int64_t(getScales().size()) != rank)
    return emitOpError("C1: ") << getScales().size() << " scales for a rank-"
                               << rank << " input";
  for (double s : getScales())
    if (!(s > 0) || !std::isfinite(s))
      return emitOpError("C1: scale ") << s << " is not positive";
  if (!getRoi().empty() && int64_t(getRoi().size()) != 2 * rank)
    return emitOpError("C1: roi has ")
           << getRoi().size() << " entries, expected " << 2 * rank;
  StringRef mode = getMode();
  if (!isOneOf(mode, {"nearest", "linear", "cubic"}))
    return emitOpError("C2: unknown mode '") << mode << "'";
  if (!isOneOf(getCoordinateMode(),
               {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                "tf_crop_and_resize"}))
    return emitOpError("C2: unknown coordinate mode '")
           << getCoordinateMode() << "'";
  if (!isOneOf(getNearestMode(),
               {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    return emitOpError("C2: unknown nearest mode '") << getNearestMode() << "'";
  if (getCoordinateMode() == "tf_crop_and_resize" && getRoi().empty())
    return emitOpError("C1: tf_crop_and_resize needs a roi");
  if (mode != "nearest" && !isa<FloatType>(in.getElementType()))
    return emitOpError("C2: ")
           << mode << " interpolation needs a float tensor, got "
           << in.getElementType();
  if (mode == "nearest" && getAntialias())
    return emitOpError("C2: antialias applies to linear and cubic only");
  // The tap tables, built at compile time, hold one row of taps per output
  // coordinate.
  for (int64_t d = 0; d < rank; ++d) {
    int64_t taps = resizeTapCount(mode, getAntialias(), getScales()[d]);
    if (taps >= kMaxTapTable / getType().getDimSize(d))
      return emitOpError("C1: the tap table of dimension ")
             << d << " (" << getType().getDimSize(d) << " outputs x " << taps
             << " taps) would exceed 2^24 entries";
  }
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *, Loc loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto grid = cast<RankedTensorType>(adaptor.getGrid().getType());
  if (!in.hasStaticShape() || !grid.hasStaticShape())
    return emitOptionalError(loc, "dynamic shapes are not supported");
  int64_t rank = in.getRank();
  if (rank < 3 || grid.getRank() != rank ||
      grid.getDimSize(rank - 1) != rank - 2)
    return emitOptionalError(loc, "C1: a rank-", rank,
                             " input (N, C, spatial...) needs a rank-", rank,
                             " grid whose last dimension is ", rank - 2,
                             ", got ", grid);
  if (grid.getDimSize(0) != in.getDimSize(0))
    return emitOptionalError(loc, "C1: the grid's batch (", grid.getDimSize(0),
                             ") differs from the input's (", in.getDimSize(0),
                             ")");
  SmallVector<int64_t> shape{in.getDimSize(0), in.getDimSize(1)};
  for (int64_t d = 1; d < rank - 1; ++d)
    shape.push_back(grid.getDimSize(d));
  types.push_back(in.clone(shape));
  return success();
}

LogicalResult GridSampleOp::verify() {
  if (!isOneOf(getMode(), {"nearest", "linear", "cubic"}))
    return emitOpError("C2: unknown mode '") << getMode() << "'";
  if (!isOneOf(getPaddingMode(), {"zeros", "border", "reflection"}))
    return emitOpError("C2: unknown padding mode '") << getPaddingMode()
                                                     << "'";
  return success();
}
