"""Image preprocessing before OCR: isolate the paper, flatten lighting, deskew, normalise text size.

Every step works on numpy arrays (downscaled where possible) so the chain costs far less than one
Tesseract pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from scipy import ndimage

from expenses.ocr.rotation import rotate_expanded
from expenses.ocr.seals import is_seal_glyph, seal_columns, seal_mask, without_seals

# Tesseract's LSTM reads best when glyphs are roughly this tall (pixels).
TARGET_TEXT_HEIGHT = 28
MAX_UPSCALE = 3.0
MAX_OUTPUT_PIXELS = 5_000_000
# A banner on the raw photo: a region darker than this share of the paper's level (and than this
# level), that holds some pixels darker than the level that marks a banner's core. In a photo lit
# from one side a banner's far end can be half as light again as its near end (0.35 → 0.55 of the
# paper's level in one dev photo), and only its darkest stretch passes the core level.
BANNER_SHARE = 0.7
BANNER_LEVEL = 130.0
# Width (half-resolution pixels) of a banner's blurred edge.
BANNER_EDGE = 1
# Level (0-1) the darkest quarter of the ink should reach, and the strongest darkening allowed.
INK_TARGET = 40 / 255
MAX_INK_GAMMA = 3.0


@dataclass(frozen=True)
class PreprocessOptions:
    crop: bool = True
    flatten: bool = True
    deskew: bool = True
    rescale: bool = True
    denoise: bool = True
    binarize: bool = False
    target_text_height: int = TARGET_TEXT_HEIGHT
    min_upscale: float = 1.25


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, image).convert("RGB")
    return image.convert("RGB")


def otsu(values: np.ndarray) -> float:
    # bincount on bytes is several times faster than np.histogram on floats.
    hist = np.bincount(np.clip(values, 0, 255).astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    centers = np.arange(256, dtype=np.float64) + 0.5
    weight_low = np.cumsum(hist)
    weight_high = hist.sum() - weight_low
    sum_low = np.cumsum(hist * centers)
    mean_low = sum_low / np.maximum(weight_low, 1)
    mean_high = (sum_low[-1] - sum_low) / np.maximum(weight_high, 1)
    between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return float(centers[int(np.argmax(between))])


def paper_mask(rgb: Image.Image, size: int = 300) -> np.ndarray | None:
    """Low-resolution mask of the receipt paper, or None when it cannot be told from the background."""
    small = rgb.copy()
    small.thumbnail((size, size))
    a = np.asarray(small, dtype=np.float32)
    vmax = a.max(axis=2)
    sat = (vmax - a.min(axis=2)) / np.maximum(vmax, 1)
    value = ndimage.uniform_filter(vmax, 5)
    sat = ndimage.uniform_filter(sat, 5)
    ring = np.zeros(value.shape, dtype=bool)
    ring[:3], ring[-3:], ring[:, :3], ring[:, -3:] = True, True, True, True
    if np.median(sat[ring]) > 0.2:
        # Coloured background (wooden desk, cutting mat): the paper is the unsaturated part.
        mask = sat < min(0.15, (np.median(sat[ring]) + 0.05) / 2)
    else:
        # Grey or white background: brightness alone mis-crops under shadows, and clipping text costs
        # far more than keeping background, so leave the image whole.
        return None
    mask = ndimage.binary_opening(mask, iterations=2)
    labels, count = ndimage.label(mask)
    if count == 0:
        return None
    sizes = ndimage.sum(mask, labels, range(1, count + 1))
    biggest = int(np.argmax(sizes)) + 1
    if sizes[biggest - 1] < 0.1 * mask.size or sizes[biggest - 1] > 0.9 * mask.size:
        return None
    paper = ndimage.binary_fill_holes(labels == biggest)
    # Keep a safety margin: clipping text is far worse than keeping a little background.
    return ndimage.binary_dilation(paper, iterations=3)


def isolate_paper(rgb: Image.Image) -> Image.Image:
    """Crop to the paper and paint the remaining background white."""
    mask = paper_mask(rgb)
    if mask is None:
        return rgb
    ys, xs = np.nonzero(mask)
    sy, sx = rgb.height / mask.shape[0], rgb.width / mask.shape[1]
    box = (int(xs.min() * sx), int(ys.min() * sy), int((xs.max() + 1) * sx), int((ys.max() + 1) * sy))
    full_mask = Image.fromarray((mask * 255).astype(np.uint8)).resize(rgb.size, Image.BILINEAR)
    white = Image.new("RGB", rgb.size, (255, 255, 255))
    return Image.composite(rgb, white, full_mask.point(lambda v: 255 if v >= 128 else 0)).crop(box)


def flatten_lighting(gray: np.ndarray) -> np.ndarray:
    """Divide by a smooth estimate of the paper brightness: removes shadows and vignetting."""
    factor = 8
    small = gray[::factor, ::factor]
    background = ndimage.grey_closing(small, size=(7, 7))
    background = ndimage.gaussian_filter(background, 2)
    # PIL's bilinear resize of a float image is an order of magnitude faster than ndimage.zoom.
    resized = Image.fromarray(background.astype(np.float32), mode="F").resize(
        (gray.shape[1], gray.shape[0]), Image.BILINEAR
    )
    background = np.asarray(resized, dtype=np.float32)
    return np.clip(gray / np.maximum(background, 1.0) * 255.0, 0, 255)


def stretch_contrast(gray: np.ndarray) -> np.ndarray:
    """Make the darkest ink black without amplifying paper noise."""
    ink = gray[gray < 200]
    if ink.size < 100:
        return gray
    low = float(np.percentile(ink, 5))
    if low > 150:
        return gray
    return np.clip((gray - low) * 255.0 / (255.0 - low), 0, 255)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    return gray < min(otsu(gray), 200)


def skew_angle(gray: np.ndarray, max_angle: float = 8.0) -> float:
    """Angle (degrees) that makes the horizontal projection of ink sharpest (text lines level)."""
    image = Image.fromarray((ink_mask(gray) * 255).astype(np.uint8))
    image.thumbnail((500, 500))
    best_angle, best_score = 0.0, -1.0
    for step, span in ((1.0, max_angle), (0.25, 1.0)):
        center = best_angle
        for angle in np.arange(center - span, center + span + 1e-6, step):
            rotated = np.asarray(image.rotate(float(angle), resample=Image.NEAREST))
            profile = rotated.sum(axis=1, dtype=np.float64)
            score = float(np.sum(np.diff(profile) ** 2))
            # Ties (a blank page: every angle scores 0) keep the smaller turn.
            if score > best_score or (score == best_score and abs(angle) < abs(best_angle)):
                best_angle, best_score = float(angle), score
    return best_angle


# Exchanges of a 9-element sorting network that leaves the median in slot 4 (Paeth; Devillard's
# opt_med9).
MEDIAN9_NETWORK = (
    (1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8), (0, 3),
    (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2),
)


def median3(gray: np.ndarray) -> np.ndarray:
    """3×3 median with replicated edges, as PIL's MedianFilter(3) gives, several times faster.

    The nine shifted views go through a sorting network of element-wise min/max.
    """
    height, width = gray.shape
    padded = np.pad(gray, 1, mode="edge")
    views = [padded[i : i + height, j : j + width] for i in range(3) for j in range(3)]
    for i, j in MEDIAN9_NETWORK:
        views[i], views[j] = np.minimum(views[i], views[j]), np.maximum(views[i], views[j])
    return views[4]


def text_height(gray: np.ndarray) -> float | None:
    """Typical glyph height in pixels, from the ink blobs of glyph-like shape."""
    mask = ink_mask(median3(gray.astype(np.uint8)).astype(np.float32))
    labels, count = ndimage.label(mask)
    if count < 10:
        return None
    heights = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        h = sl[0].stop - sl[0].start
        w = sl[1].stop - sl[1].start
        if 5 <= h <= 150 and 0.3 <= w / h <= 1.6:
            heights.append(h)
    if len(heights) < 10:
        return None
    # Upper-middle quantile: kanji split into radicals and punctuation pull the median down.
    return float(np.percentile(heights, 65))


@dataclass(frozen=True)
class PreparedPage:
    """The page as the model reads it, and where red seals lie on it (see seals.py)."""

    image: Image.Image
    seals: np.ndarray | None = None

    def without_seals(self) -> Image.Image:
        return self.image if self.seals is None else without_seals(self.image, self.seals)

    def seal_columns(self, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
        return None if self.seals is None else seal_columns(self.seals, box)

    def is_seal_glyph(self, box: tuple[int, int, int, int]) -> bool:
        return self.seals is not None and is_seal_glyph(self.seals, self.image, box)


def preprocess(image: Image.Image, options: PreprocessOptions | None = None) -> Image.Image:
    return prepare_page(image, options).image


def prepare_page(image: Image.Image, options: PreprocessOptions | None = None) -> PreparedPage:
    options = options or PreprocessOptions()
    rgb = to_rgb(image)
    if options.crop:
        rgb = isolate_paper(rgb)
    gray_image = ImageOps.grayscale(rgb)
    seals = None
    if options.rescale:
        height = text_height(np.asarray(gray_image, dtype=np.float32))
        if height:
            seals = seal_mask(rgb, height)
            scale = min(MAX_UPSCALE, options.target_text_height / height)
            pixels = gray_image.width * gray_image.height * scale * scale
            if pixels > MAX_OUTPUT_PIXELS:
                scale *= (MAX_OUTPUT_PIXELS / pixels) ** 0.5
            if scale > options.min_upscale or scale < 0.5:
                size = (round(gray_image.width * scale), round(gray_image.height * scale))
                gray_image = gray_image.resize(size, Image.BICUBIC)
                if options.denoise and scale > 1.2:
                    # Upscaled sensor noise turns into blobs; a light blur keeps strokes, drops grain.
                    gray_image = gray_image.filter(ImageFilter.GaussianBlur(scale * 0.4))
                if seals is not None:
                    seals = np.asarray(Image.fromarray(seals).resize(size, Image.NEAREST))
    gray = np.asarray(gray_image, dtype=np.float32)
    if options.flatten:
        gray = flatten_lighting(invert_banners(gray, options.target_text_height, raw=True))
    if options.binarize:
        gray = clean_binary(gray, options.target_text_height)
    else:
        gray = invert_banners(clip_paper(gray), options.target_text_height)
    page = Image.fromarray(gray.astype(np.uint8))
    if options.deskew:
        angle = skew_angle(gray)
        if abs(angle) >= 0.5:
            page = rotate_expanded(page, angle, Image.BICUBIC, 255)
            if seals is not None:
                seals = np.asarray(Image.fromarray(seals).rotate(angle, resample=Image.NEAREST, expand=True))
    return PreparedPage(page, seals)


def darken_greys(image: Image.Image, gamma: float) -> Image.Image:
    """The page with its greys pushed towards black (paper stays white, black stays black)."""
    table = [round(255 * (level / 255) ** gamma) for level in range(256)]
    return image.convert("L").point(table)


def ink_threshold(flat: np.ndarray) -> float:
    """Threshold below the paper level by a margin scaled to the paper noise (keeps faded print)."""
    sample = flat[::2, ::2]
    paper_level = float(np.median(sample))
    spread = float(np.median(np.abs(sample - paper_level))) * 1.4826
    return float(np.clip(paper_level - max(30.0, 5.0 * spread), 90.0, 215.0))


def invert_banners(gray: np.ndarray, text_px: int, *, raw: bool = False) -> np.ndarray:
    """Turn white-on-black banners (shop names in reverse print) into black-on-white.

    `raw`: before lighting is flattened. Flattening estimates the paper from the local maximum, which
    inside a wide banner is the banner itself, so the banner's ends turn into grey blobs that read as
    letters; inverting first avoids that. On the raw image a dark desk or shadow can look like a
    banner too, so only regions inside the frame and well below the page size count.
    """
    # Banners are several glyphs tall and wide: found on a half-resolution copy (a quarter of the
    # labelling cost), inverted at full resolution.
    small = gray[::2, ::2]
    paper = float(np.median(small))
    core_level = min(100.0, 0.5 * paper) if raw else 100.0
    # Once lighting is flattened a banner is evenly dark: only the raw photo needs the looser level.
    level = max(core_level, min(BANNER_LEVEL, BANNER_SHARE * paper)) if raw else core_level
    labels, count = ndimage.label(small < level)
    if count == 0:
        return gray
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    dark = small < core_level
    out = gray
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        h = sl[0].stop - sl[0].start
        w = sl[1].stop - sl[1].start
        if 2 * h <= 1.2 * text_px or 2 * w <= 4 * text_px or areas[index - 1] <= 0.55 * h * w:
            continue
        if raw and (_touches_border(sl, small.shape) or h * w > 0.2 * small.size):
            continue
        banner = labels[sl] == index
        if not (dark[sl] & banner).any():
            continue
        if out is gray:
            out = gray.copy()
        # The banner's own shape, not its bounding box: on a tilted photo the box's corners are
        # paper, and inverted they become black wedges that read as glyphs.
        top, left = max(0, sl[0].start - BANNER_EDGE), max(0, sl[1].start - BANNER_EDGE)
        pad = ((sl[0].start - top, BANNER_EDGE), (sl[1].start - left, BANNER_EDGE))
        filled = np.pad(ndimage.binary_fill_holes(banner), pad)
        region = out[2 * top : 2 * (sl[0].stop + BANNER_EDGE), 2 * left : 2 * (sl[1].stop + BANNER_EDGE)]
        inside = _full_size(ndimage.binary_erosion(filled), region.shape)
        edge = _full_size(ndimage.binary_dilation(filled, iterations=BANNER_EDGE), region.shape) & ~inside
        region[inside] = 255.0 - region[inside]
        # The banner's blurred edge is grey either way; inverted or not, it draws a frame that
        # reads as "|" and "ー" beside the name. It becomes paper.
        region[edge] = np.maximum(region[edge], paper)
    return out


def _full_size(half: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return np.repeat(np.repeat(half, 2, axis=0), 2, axis=1)[: shape[0], : shape[1]]


def _touches_border(sl: tuple[slice, slice], shape: tuple[int, ...]) -> bool:
    return sl[0].start == 0 or sl[1].start == 0 or sl[0].stop == shape[0] or sl[1].stop == shape[1]


def clip_paper(flat: np.ndarray) -> np.ndarray:
    """Paper (and its grain) to pure white, darkest ink to black, faded print stays grey."""
    sample = flat[::2, ::2]
    paper_level = float(np.median(sample))
    spread = float(np.median(np.abs(sample - paper_level))) * 1.4826
    high = max(120.0, paper_level - 2.0 * spread)
    low = min(float(np.percentile(sample, 0.5)), high - 60.0)
    scaled = np.clip((flat - low) / (high - low), 0, 1)
    gamma = ink_gamma(scaled)
    return 255.0 * (scaled if gamma == 1.0 else scaled**gamma)


def ink_gamma(scaled: np.ndarray) -> float:
    """Gamma that brings the typical dark stroke of faded or blurred print down to near black.

    Tesseract binarises internally and drops strokes that stay light grey; a gamma above 1 darkens
    the greys while paper stays white. Crisp black print (dark quartile already near 0) gets ~1.
    """
    ink = scaled[::2, ::2]
    ink = ink[ink < 200 / 255]
    if ink.size < 100:
        return 1.0
    dark = float(np.percentile(ink, 25))
    if dark <= INK_TARGET:
        return 1.0
    return float(min(MAX_INK_GAMMA, np.log(INK_TARGET) / np.log(dark)))


def clean_binary(gray: np.ndarray, text_px: int) -> np.ndarray:
    """Threshold, re-invert white-on-black banners, drop specks and ruling lines."""
    ink = gray < ink_threshold(gray)
    labels, count = ndimage.label(ink)
    if count == 0:
        return np.full(gray.shape, 255, dtype=np.float32)
    slices = ndimage.find_objects(labels)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    keep = np.ones(count + 1, dtype=bool)
    keep[0] = False
    inverted: list[tuple[slice, slice]] = []
    min_area = max(3.0, (text_px * 0.1) ** 2)
    for index, sl in enumerate(slices, start=1):
        h = sl[0].stop - sl[0].start
        w = sl[1].stop - sl[1].start
        area = areas[index - 1]
        if area < min_area:
            keep[index] = False
        elif h > 1.5 * text_px and w > 4 * text_px and area > 0.6 * h * w:
            keep[index] = False  # solid banner with white text: handled below
            inverted.append(sl)
        elif (w > 6 * text_px and h < 0.35 * text_px) or (h > 6 * text_px and w < 0.35 * text_px):
            keep[index] = False  # ruling line
        elif h > 3 * text_px and w > 3 * text_px and area < 0.1 * h * w:
            keep[index] = False  # frame or box outline
    out = np.where(keep[labels], 0.0, 255.0).astype(np.float32)
    for sl in inverted:
        out[sl] = np.where(ink[sl], 255.0, 0.0)
    return out


def erase_rulings(image: Image.Image, text_px: int = TARGET_TEXT_HEIGHT) -> Image.Image:
    """The image with its table rulings (ink runs far longer than any glyph, one stroke thick) made paper.

    Tesseract's block layout drops the cells of a ruled table (a form's 内訳 box) with the rules.
    """
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    ink = gray < 128
    length = 3 * text_px
    horizontal = ndimage.binary_opening(ink, structure=np.ones((1, length), dtype=bool))
    vertical = ndimage.binary_opening(ink, structure=np.ones((length, 1), dtype=bool))
    # Grown by a pixel: the rule's anti-aliased edge would stay as a faint line.
    rules = ndimage.binary_dilation(horizontal | vertical, iterations=1)
    out = gray.copy()
    out[rules] = 255
    return Image.fromarray(out)
