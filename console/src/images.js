// Smaller copies of a photo or logo, made here in the browser before the upload, so that a
// shopper's phone downloads a photo of the size it shows (docs/architecture.md, "Photos in the shop").

/** The shop's cards are at most ~320 CSS px wide: 320 px for one pixel per CSS pixel, 640 px for
 * the 2× screens of phones. */
export const COPY_WIDTHS = [320, 640];
const QUALITY = 0.8;

/** The widths to make for a photo `natural` px wide: none when it is small already; never wider
 * than the photo (its own width instead, re-encoded smaller). */
export function copyWidths(natural) {
  if (natural <= COPY_WIDTHS[0]) return [];
  return [...COPY_WIDTHS.filter((w) => w < natural), ...(natural < COPY_WIDTHS.at(-1) ? [natural] : [])];
}

/** [{width, blob}] narrowest first, WebP where the browser writes it (a browser that cannot answers
 * PNG: then JPEG, or PNG for a PNG, which may be transparent). None if the file cannot be decoded
 * here: the original alone is uploaded, and the shop shows it. */
export async function smallerCopies(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return [];
  }
  const copies = [];
  for (const width of copyWidths(bitmap.width)) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = Math.max(1, Math.round((bitmap.height * width) / bitmap.width));
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    let blob = await encode(canvas, "image/webp");
    if (!blob || blob.type !== "image/webp") blob = await encode(canvas, file.type === "image/png" ? "image/png" : "image/jpeg");
    if (blob) copies.push({ width, blob });
  }
  bitmap.close();
  return copies;
}

const encode = (canvas, type) => new Promise((resolve) => canvas.toBlob(resolve, type, QUALITY));
