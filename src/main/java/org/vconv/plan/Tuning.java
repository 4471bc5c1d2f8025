package org.vconv.plan;

import java.util.List;

/**
 * Every tuned number the planner decides by, one table per kernel provider, as BLIS keeps its
 * block sizes in one context per CPU: the algorithm classes hold none of their own.
 *
 * @param provider the provider this table is for ({@code VectorProvider.name()})
 * @param groupedMaxChannelsPerGroup channels per group up to which grouped layers run direct
 *     in every pass and layout: a group's GEMM is then too small to amortize its packing
 * @param groupedMaxChannelsPerGroupNchw the larger bound of the NCHW forward and input
 *     gradient, whose direct loops stay ahead of the GEMM longer
 * @param groupedWeightMinBatchPixels NCHW grouped layers with more than one channel per
 *     group take the direct weight gradient with at least this many output pixels in the
 *     batch: fewer (7x7 to 14x14 planes at batch 1), its dot products are short
 * @param imageBlockedBatchMultiple the image-blocked GEMM wants batches of a multiple of this
 *     (the GEMM micro-tile height {@code mr}: its rows are images; others leave lanes empty)
 * @param imageBlockedMaxInputPixels input pixels per plane at most, so that the slab of a
 *     channel block stays in L2
 * @param imageBlockedMinTapDepth source channels per group at least: below, a tap's call is
 *     too short to pay for loading and storing its micro-tile
 * @param imageBlockedMinRowWastePercent the image-blocked GEMM pays where the implicit GEMM's
 *     padded rows would be more than this many percent wider than the output rows
 * @param implicitMaxRowWastePercent the implicit GEMM's stride-1 passes pay while its padded
 *     rows are at most this many percent wider than the output rows (each micro-tile computes
 *     the extra columns and drops them)
 * @param implicitRowWastePercentTimesFilters the implicit GEMM's stride-1 forward pays while
 *     its padded rows are at most this many percent, divided by the filters per group (K/G),
 *     wider than the output rows, when that exceeds {@code implicitMaxRowWastePercent}: the
 *     im2col copy it saves weighs against the GEMM as 1/(K/G)
 * @param implicitDenseMinDepth ... or at any width when the reduction ({@code C/G*R*S}) is at
 *     least this deep: past {@code implicitMaxRowWastePercent} the pixels are numbered densely
 *     (no dropped column computed), whose per-pixel offsets cost less than im2col's copy once
 *     the reduction is deep (shallower, e.g. 16 channels 3x3 to 512 filters, im2col measured
 *     faster)
 * @param implicitMinDepth the implicit forward wants a reduction ({@code C/G*R*S}) at least
 *     this deep: shallower (3x3 RGB stems, LeNet's first layer), each micro-tile's loads and
 *     stores (strided: its transposing store), and its dropped columns, weigh more than
 *     im2col's copy of a thin matrix
 * @param implicitMinLaneFilters the implicit input and weight gradients want at least this many
 *     filters ({@code C/G} for the input gradient's transposed convolution, {@code K/G} for the
 *     weight gradient): their micro-tiles put the filters on vector lanes, and fewer leave many
 *     of them empty (the micro-tile width)
 * @param implicitMinWeightColumns the implicit weight gradient wants at least this many GEMM
 *     columns per image: fewer, its micro-tiles sum over short runs
 * @param implicitWeightMaxFilters ... unless the layer has at most this many filters per group
 *     ({@code K/G}): im2col's copy then weighs against its GEMM as 1/(K/G), more than the short
 *     runs cost
 * @param implicitWeightMinBatchColumns ... and the batch holds at least this many columns
 *     (images times columns per image): a unit of the pass's copy-compute pipeline spans
 *     images, and a single short image leaves nothing to overlap
 * @param implicitStridedMinWeightColumns ... or, strided with overlapping windows, at least
 *     this many columns per image and {@code implicitWeightMinBatchColumns} in the batch at any
 *     filter count: im2col then gathers each input element once per window that holds it, one
 *     element at a time, which costs more than the short runs; with fewer columns per image
 *     (4x4 outputs, 19 columns, at batch 64) the runs still cost more
 * @param pointwiseBatchMaxPixels NCHW pointwise layers with planes of at most this many
 *     pixels run as one GEMM over the batch: per image, the GEMM would be too narrow
 * @param pointwiseDotsMaxProductsPerValue an NCHW pointwise weight gradient runs as dot
 *     products along the planes, nothing packed, when the GEMM would do at most this many
 *     products per value it packs ({@code (C/G * K/G) / (C/G + K/G)}): with fewer, packing
 *     both planes costs more than the dot kernel's lower rate
 * @param depthwiseChannelsLastMinChannels NCHW depthwise layers run through channels-last
 *     copies from this many channels (whole vectors over channels)
 * @param depthwiseChannelsLastMaxPixels ... at stride 1, on output planes of at most this many
 *     pixels: larger planes keep the plane kernels' rows long, and the copies cost more than
 *     the short rows
 * @param depthwiseChannelsLastMaxPixelsStrided ... strided, on output planes of at most this
 *     many pixels (the phase-split plane kernels cost more per output)
 * @param depthwiseChannelsLastMaxPixelsStridedInput ... and the input gradient of a strided
 *     layer on output planes of at most this many pixels: its copies move the input, 4x the
 *     output at stride 2, which on 28x28 outputs cost more than the vectors save
 * @param depthwisePaddedMinTaps ... but not, for the forward and input gradient, kernels of at
 *     least this many taps whose planes the plane kernels copy padded
 *     ({@code ArrayKernels.planeSumsScratch}): every tap a plain load, the copy shared by
 *     enough taps to cost less than the channels-last transposes
 * @param windowDotsMaxDepth the dot-product weight gradient takes filters of at most this many
 *     taps ({@code C/G*R*S}): past it, the outer-product pass's copy of dy is cheap per product
 * @param windowDotsMaxDepthDisjoint ... or of at most this many taps where no two outputs'
 *     windows overlap (a kernel within its stride, as 2x2 stride-2 upsamplers' weight
 *     gradients): the copy is then no larger than the input, and the implicit GEMM's weight
 *     gradient measured faster on deeper filters
 * @param windowDotsRowMultiple and output rows of a multiple of this many floats (the widest
 *     kernels' lanes, so every provider takes the same pass)
 * @param im2colSpanImagePixels NCHW im2col tiles span images (output staged) when an image has
 *     at most this many output pixels: half the GEMM's depth block, below which a per-image
 *     tile is a short reduction or a narrow GEMM of its own
 * @param winogradMinChannels Winograd wants at least this many input and output channels per
 *     group: below, its transforms weigh too much against its GEMMs
 * @param winogradMinOutputPixels and output planes of at least this many pixels: on smaller
 *     ones (7x7) the tiles past the edge waste too much and the GEMMs are short
 * @param winogradNchwMaxOutputPixels and, in NCHW, output planes of at most this many pixels:
 *     on larger ones (112x112, VGG's 224x224) the implicit GEMM measured faster
 * @param winogradNchwMinChannels and, in NCHW, at least this many input and output channels
 *     per group: with fewer (DenseNet's 128 -> 32) its 16 GEMMs are one micro-tile wide and
 *     the implicit and image-blocked GEMMs, which NHWC lacks, measured faster
 * @param winogradMinWeightChannels the Winograd weight gradient wants at least this many input
 *     and output channels per group: its 16 GEMMs are K/G x C/G outputs each, and with fewer
 *     filters the implicit GEMM's weight gradient measured faster
 * @param winogradMinTiles Winograd wants at least this many tiles in the batch, in every pass:
 *     the rows of its 16 GEMMs (forward, input gradient) or their depth (weight gradient);
 *     fewer (planes of 16x16 and under at batch 1) and the GEMMs are too short for their
 *     packing and stores
 * @param winogradBlockTiles Winograd's tiles per block at most (the GEMMs' rows per call):
 *     the transformed tiles of a block stay in the caches
 * @param depthSplitMinPaddedPercent 3-D convolution computes the border depth slices apart,
 *     each on only its taps inside the input, when at least this many percent of all the
 *     slices' depth taps fall in the padding (a depth of 2 or 1 under a pad of 1: 33% or 67%);
 *     fewer (a depth of 4 or more: 17% and under), and the border slices' smaller 2-D passes
 *     cost more than the zero taps they skip
 * @param measured whether these numbers were tuned on this provider; false: copied from
 *     panama-512 where they are not width-specific, not yet measured here
 */
public record Tuning(
    String provider,
    int groupedMaxChannelsPerGroup,
    int groupedMaxChannelsPerGroupNchw,
    int groupedWeightMinBatchPixels,
    int imageBlockedBatchMultiple,
    int imageBlockedMaxInputPixels,
    int imageBlockedMinTapDepth,
    int imageBlockedMinRowWastePercent,
    int implicitMaxRowWastePercent,
    int implicitRowWastePercentTimesFilters,
    int implicitDenseMinDepth,
    int implicitMinDepth,
    int implicitMinLaneFilters,
    int implicitMinWeightColumns,
    int implicitWeightMaxFilters,
    int implicitWeightMinBatchColumns,
    int implicitStridedMinWeightColumns,
    int pointwiseBatchMaxPixels,
    int pointwiseDotsMaxProductsPerValue,
    int depthwiseChannelsLastMinChannels,
    int depthwiseChannelsLastMaxPixels,
    int depthwiseChannelsLastMaxPixelsStrided,
    int depthwiseChannelsLastMaxPixelsStridedInput,
    int depthwisePaddedMinTaps,
    int windowDotsMaxDepth,
    int windowDotsMaxDepthDisjoint,
    int windowDotsRowMultiple,
    int im2colSpanImagePixels,
    int winogradMinChannels,
    int winogradMinOutputPixels,
    int winogradNchwMaxOutputPixels,
    int winogradNchwMinChannels,
    int winogradMinWeightChannels,
    int winogradMinTiles,
    int winogradBlockTiles,
    int depthSplitMinPaddedPercent,
    boolean measured) {

  /**
   * The tables. panama-512's numbers were tuned on AVX-512 (the suite's layers). The others are
   * NOT YET MEASURED on their own providers: they copy panama-512's, except the image-blocked
   * batch multiple, which is each provider's micro-tile height (PanamaGemmKernels: 8 rows at
   * 512 bits, 3 at 256 and 128; ScalarGemmKernels: 4).
   */
  static final List<Tuning> TABLES = List.of(
      // provider, grouped: grp grpN grpWPx; image-blocked: ib* ibPx ibDep ib%;
      // implicit: im% im%K imDD imD imLane imWC imWK imWB imWS; pointwise: batch pbPx, dots pdV;
      // channels-last depthwise: dcC dcPx dcPxS dcPxSDx dpTaps; window-dots: wdD wdDD wdR;
      // im2col: span; winograd: wgC wgPx wgNchwPx wgNchwC wgWC wgTiles wgT; 3-D: split%;
      // measured
      new Tuning("panama-512", 16, 32, 256, 8, 1024, 128, 10, 20, 6400, 512, 64, 32,
          512, 64, 1024, 32, 100, 24, 16, 256, 1024, 256, 25, 256, 32, 16, 128, 32, 100, 4096, 64,
          64, 128, 512, 30, true),
      new Tuning("panama-256", 16, 32, 256, 3, 1024, 128, 10, 20, 6400, 512, 64, 32,
          512, 64, 1024, 32, 100, 24, 16, 256, 1024, 256, 25, 256, 32, 16, 128, 32, 100, 4096, 64,
          64, 128, 512, 30, false),
      new Tuning("panama-128", 16, 32, 256, 3, 1024, 128, 10, 20, 6400, 512, 64, 32,
          512, 64, 1024, 32, 100, 24, 16, 256, 1024, 256, 25, 256, 32, 16, 128, 32, 100, 4096, 64,
          64, 128, 512, 30, false),
      new Tuning("scalar", 16, 32, 256, 4, 1024, 128, 10, 20, 6400, 512, 64, 32,
          512, 64, 1024, 32, 100, 24, 16, 256, 1024, 256, 25, 256, 32, 16, 128, 32, 100, 4096, 64,
          64, 128, 512, 30, false));

  /**
   * The table of a provider.
   *
   * @param provider a provider name, e.g. "panama-512" or "scalar"
   * @return its table
   * @throws IllegalArgumentException for an unknown provider
   */
  public static Tuning of(String provider) {
    for (Tuning t : TABLES) {
      if (t.provider.equals(provider)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no tuning table for kernels '" + provider + "'");
  }

  /** Whether padded rows of {@code pitch} floats waste at most {@code percent} of {@code q}. */
  static boolean rowWasteAtMost(int pitch, int q, int percent) {
    return (long) (pitch - q) * 100 <= (long) percent * q;
  }
}
