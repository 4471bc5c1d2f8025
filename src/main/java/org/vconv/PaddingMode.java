package org.vconv;

/**
 * What the padding around the input holds: PyTorch's {@code padding_mode}. Every mode but
 * {@link #ZEROS} follows {@code torch.nn.functional.pad}: its pads are applied to the input and
 * the convolution then runs unpadded, and the backward pass gives each input element the
 * gradients of every padded position that copies it.
 */
public enum PaddingMode {
  /** Zeros (the default). */
  ZEROS,
  /** The input mirrored at its edges, without repeating the edge; a pad must be smaller than
   * its axis. */
  REFLECT,
  /** The edge element repeated. */
  REPLICATE,
  /** The input wrapped around; a pad must be at most its axis. */
  CIRCULAR
}
