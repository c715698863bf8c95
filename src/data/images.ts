// Image-folder datasets (a directory or a .tar/.tar.gz of class folders, JPEG/PNG), decoded once
// and cached as uint8 CHW under <cacheRoot>/images/<key>.bin.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import jpeg from 'jpeg-js';
import { InputError } from '../util/errors.ts';
import { cacheRoot, readFileOrThrow, readTar, reason, sha256 } from './io.ts';
import { writeFileAtomicSync } from '../io/atomic.ts';
import type { Dataset, LoadOptions, Tensorish } from './types.ts';

interface PngImage {
  width: number;
  height: number;
  data: Buffer;
}
interface PngModule {
  PNG: { sync: { read(buf: Buffer, opts?: object): PngImage } };
}
const require = createRequire(import.meta.url);
let pngModule: PngModule | null = null;
function png(): PngModule {
  pngModule ??= require('pngjs') as PngModule;
  return pngModule;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** One image file of a folder dataset. */
interface ImageFile {
  rel: string;
  split: 'train' | 'test';
  cls: string;
  read(): Uint8Array;
}

/** Where an image folder comes from. */
export type ImageSource =
  | { kind: 'dir'; dir: string }
  | { kind: 'archive'; file: string; buf: Uint8Array; sha256: string };

/** Assigns split and class to image paths (relative, '/'-separated). */
function assignLayout(paths: string[], where: string): { split: 'train' | 'test'; cls: string }[] {
  let parts = paths.map((p) => p.split('/').filter((s) => s.length > 0));
  // Strip a single wrapping folder (e.g. "CIFAR-10-images/train/cat/1.jpg").
  for (;;) {
    const first = parts[0]?.[0];
    if (
      first === undefined ||
      first === 'train' ||
      first === 'test' ||
      !parts.every((p) => p.length >= 3 && p[0] === first)
    ) {
      break;
    }
    parts = parts.map((p) => p.slice(1));
  }
  const hasSplits = parts.some((p) => p.length >= 3 && (p[0] === 'train' || p[0] === 'test'));
  return parts.map((p, i) => {
    if (hasSplits) {
      if (p.length < 3 || (p[0] !== 'train' && p[0] !== 'test')) {
        throw new InputError(`${where}: image ${paths[i]} is not inside train/<class>/ or test/<class>/`);
      }
      return { split: p[0] as 'train' | 'test', cls: p[1] };
    }
    if (p.length < 2) throw new InputError(`${where}: image ${paths[i]} is not inside a class folder`);
    return { split: 'train', cls: p[0] };
  });
}

function walkDir(root: string, dir: string, out: string[]): void {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (ent.name.startsWith('.')) continue;
    const p = join(dir, ent.name);
    if (ent.isDirectory()) walkDir(root, p, out);
    else if (ent.isFile() && IMAGE_EXT.test(ent.name)) out.push(relative(root, p).split(sep).join('/'));
  }
}

interface Listing {
  files: ImageFile[];
  /** Identifies the content for the cache key. */
  contentId: string;
}

function listSource(src: ImageSource): Listing {
  if (src.kind === 'dir') {
    const rels: string[] = [];
    try {
      walkDir(src.dir, src.dir, rels);
    } catch (e) {
      throw new InputError(`cannot read ${src.dir}: ${reason(e)}`);
    }
    rels.sort();
    if (rels.length === 0) throw new InputError(`${src.dir}: no .jpg/.jpeg/.png images found`);
    const layout = assignLayout(rels, src.dir);
    const h = createHash('sha256');
    for (const r of rels) {
      const st = statSync(join(src.dir, r));
      h.update(`${r}\0${st.size}\0${st.mtimeMs}\n`);
    }
    return {
      files: rels.map((rel, i) => ({ rel, ...layout[i], read: () => readFileOrThrow(join(src.dir, rel)) })),
      contentId: `dir:${resolve(src.dir)}:${h.digest('hex')}`,
    };
  }
  const entries = readTar(src.file, src.buf, (p) => IMAGE_EXT.test(p) && !p.split('/').some((s) => s.startsWith('.')));
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (entries.length === 0) throw new InputError(`${src.file}: no .jpg/.jpeg/.png images found in the archive`);
  const layout = assignLayout(
    entries.map((e) => e.path),
    src.file,
  );
  return {
    files: entries.map((e, i) => ({ rel: e.path, ...layout[i], read: () => e.data })),
    contentId: `archive:${src.sha256}`,
  };
}

/** Reads width/height from a JPEG or PNG header without decoding; null if unrecognized. */
export function sniffSize(b: Uint8Array): { w: number; h: number } | null {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { w: dv.getUint32(16), h: dv.getUint32(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) {
        i++;
        continue;
      }
      const m = b[i + 1];
      if (m === 0xff) {
        i++;
        continue;
      }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = (b[i + 2] << 8) | b[i + 3];
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        return { h: (b[i + 5] << 8) | b[i + 6], w: (b[i + 7] << 8) | b[i + 8] };
      }
      if (m === 0xda || m === 0xd9) return null;
      i += 2 + len;
    }
  }
  return null;
}

/** Decodes a JPEG or PNG to RGB HWC uint8. */
export function decodeImage(bytes: Uint8Array, name: string): { w: number; h: number; rgb: Uint8Array } {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const im = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      const px = im.width * im.height;
      const ch = im.data.length / px;
      if (ch === 3) return { w: im.width, h: im.height, rgb: im.data };
      return { w: im.width, h: im.height, rgb: toRgb(im.data, px, ch) };
    }
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const im = png().PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { w: im.width, h: im.height, rgb: toRgb(im.data, im.width * im.height, 4) };
    }
  } catch (e) {
    throw new InputError(`cannot read ${name}: ${reason(e)}`);
  }
  throw new InputError(`cannot read ${name}: not a JPEG or PNG file`);
}

function toRgb(data: Uint8Array, px: number, ch: number): Uint8Array {
  const out = new Uint8Array(px * 3);
  for (let i = 0; i < px; i++) {
    if (ch === 1 || ch === 2) {
      const g = data[i * ch];
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
    } else {
      out[i * 3] = data[i * ch];
      out[i * 3 + 1] = data[i * ch + 1];
      out[i * 3 + 2] = data[i * ch + 2];
    }
  }
  return out;
}

/** Writes an RGB HWC image into `out` (CHW, H x W) at `off`, bilinear-resampling if the size differs (half-pixel centers). */
export function writeChw(
  im: { w: number; h: number; rgb: Uint8Array },
  H: number,
  W: number,
  out: Uint8Array,
  off: number,
): void {
  const { w, h, rgb } = im;
  const plane = H * W;
  if (w === W && h === H) {
    for (let p = 0; p < plane; p++) {
      out[off + p] = rgb[p * 3];
      out[off + plane + p] = rgb[p * 3 + 1];
      out[off + 2 * plane + p] = rgb[p * 3 + 2];
    }
    return;
  }
  const sy = h / H;
  const sx = w / W;
  for (let Y = 0; Y < H; Y++) {
    let fy = (Y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const ay = fy - y0;
    for (let X = 0; X < W; X++) {
      let fx = (X + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      const x0 = Math.min(Math.floor(fx), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const ax = fx - x0;
      for (let c = 0; c < 3; c++) {
        const v00 = rgb[(y0 * w + x0) * 3 + c];
        const v01 = rgb[(y0 * w + x1) * 3 + c];
        const v10 = rgb[(y1 * w + x0) * 3 + c];
        const v11 = rgb[(y1 * w + x1) * 3 + c];
        const v = (1 - ay) * ((1 - ax) * v00 + ax * v01) + ay * ((1 - ax) * v10 + ax * v11);
        out[off + c * plane + Y * W + X] = Math.round(v);
      }
    }
  }
}

/** Picks `limit` items per split, round-robin over classes (class-balanced), keeping the original order. */
function limitFiles(files: ImageFile[], limit: number | undefined): ImageFile[] {
  if (limit === undefined) return files;
  const keep = new Set<ImageFile>();
  for (const split of ['train', 'test'] as const) {
    const byClass = new Map<string, ImageFile[]>();
    for (const f of files) {
      if (f.split !== split) continue;
      const l = byClass.get(f.cls);
      if (l) l.push(f);
      else byClass.set(f.cls, [f]);
    }
    const lists = [...byClass.keys()].sort().map((k) => byClass.get(k)!);
    let taken = 0;
    for (let i = 0; taken < limit && lists.some((l) => i < l.length); i++) {
      for (const l of lists) {
        if (taken >= limit) break;
        if (i < l.length) {
          keep.add(l[i]);
          taken++;
        }
      }
    }
  }
  return files.filter((f) => keep.has(f));
}

// ---- cache file: "CWRFIMG1" | u32 header length | JSON header | pad to 8 | trainY i32 | testY i32 | trainX u8 | testX u8

const CACHE_MAGIC = 'CWRFIMG1';
const CACHE_VERSION = 1;

interface CacheHeader {
  version: number;
  key: string;
  shape: number[];
  classNames: string[];
  trainN: number;
  testN: number;
}

interface Decoded {
  shape: [number, number, number];
  classNames: string[];
  trainX: Uint8Array;
  trainY: Int32Array;
  testX: Uint8Array | null;
  testY: Int32Array | null;
}

function cachePath(opts: LoadOptions, key: string): string {
  return join(cacheRoot(opts), 'images', `${key}.bin`);
}

function readCache(file: string, key: string): Decoded | null {
  if (!existsSync(file)) return null;
  try {
    const buf = readFileSync(file);
    if (buf.toString('latin1', 0, 8) !== CACHE_MAGIC) return null;
    const hl = buf.readUInt32LE(8);
    const h = JSON.parse(buf.toString('utf8', 12, 12 + hl)) as CacheHeader;
    if (h.version !== CACHE_VERSION || h.key !== key) return null;
    let o = Math.ceil((12 + hl) / 8) * 8;
    const per = h.shape[0] * h.shape[1] * h.shape[2];
    const need = o + 4 * (h.trainN + h.testN) + per * (h.trainN + h.testN);
    if (buf.length !== need) return null;
    const ab = buf.byteOffset % 8 === 0 ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    o += buf.byteOffset % 8 === 0 ? buf.byteOffset : 0;
    const trainY = new Int32Array(ab, o, h.trainN);
    o += 4 * h.trainN;
    const testY = new Int32Array(ab, o, h.testN);
    o += 4 * h.testN;
    const trainX = new Uint8Array(ab, o, h.trainN * per);
    o += h.trainN * per;
    const testX = new Uint8Array(ab, o, h.testN * per);
    return {
      shape: h.shape as [number, number, number],
      classNames: h.classNames,
      trainX,
      trainY,
      testX: h.testN > 0 ? testX : null,
      testY: h.testN > 0 ? testY : null,
    };
  } catch {
    return null; // unreadable cache: decode again
  }
}

function writeCache(file: string, key: string, d: Decoded): void {
  const header: CacheHeader = {
    version: CACHE_VERSION,
    key,
    shape: d.shape,
    classNames: d.classNames,
    trainN: d.trainY.length,
    testN: d.testY?.length ?? 0,
  };
  const hjson = Buffer.from(JSON.stringify(header), 'utf8');
  const pre = Buffer.alloc(Math.ceil((12 + hjson.length) / 8) * 8, 0x20);
  pre.write(CACHE_MAGIC, 0, 'latin1');
  pre.writeUInt32LE(hjson.length, 8);
  hjson.copy(pre, 12);
  const u8 = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const parts: Uint8Array[] = [pre, u8(d.trainY)];
  if (d.testY) parts.push(u8(d.testY));
  parts.push(d.trainX);
  if (d.testX) parts.push(d.testX);
  try {
    writeFileAtomicSync(file, parts);
  } catch (e) {
    process.emitWarning(`cwrf: could not write the image cache ${file}: ${reason(e)}`);
  }
}

function decodeAll(listing: Listing, where: string, opts: LoadOptions): Decoded {
  const files = limitFiles(listing.files, opts.limit);
  const trainClasses = [...new Set(files.filter((f) => f.split === 'train').map((f) => f.cls))].sort();
  if (trainClasses.length === 0) throw new InputError(`${where}: no training images found`);
  const classIndex = new Map(trainClasses.map((c, i) => [c, i]));
  for (const f of files) {
    if (!classIndex.has(f.cls)) throw new InputError(`${where}: test class folder '${f.cls}' has no training images (${f.rel})`);
  }
  // Sizes from headers; target = opts.imageSize or the most common size.
  const sizes = files.map((f) => {
    const s = sniffSize(f.read());
    if (!s) throw new InputError(`cannot read ${where}/${f.rel}: not a JPEG or PNG file (or a corrupt header)`);
    return s;
  });
  let H: number;
  let W: number;
  if (opts.imageSize) {
    [H, W] = opts.imageSize;
    if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0)) {
      throw new InputError(`image size must be two positive integers, got ${opts.imageSize.join('x')}`);
    }
  } else {
    const counts = new Map<string, number>();
    let best = '';
    let bestN = 0;
    for (const s of sizes) {
      const k = `${s.h}x${s.w}`;
      const c = (counts.get(k) ?? 0) + 1;
      counts.set(k, c);
      if (c > bestN) {
        best = k;
        bestN = c;
      }
    }
    [H, W] = best.split('x').map(Number);
  }
  if (opts.resize === false) {
    const i = sizes.findIndex((s) => s.h !== H || s.w !== W);
    if (i >= 0) {
      throw new InputError(
        `${where}: image ${files[i].rel} is ${sizes[i].w}x${sizes[i].h} (WxH) but the dataset size is ${W}x${H}; allow resizing or pass an image size`,
      );
    }
  }
  const per = 3 * H * W;
  const decodeSplit = (split: 'train' | 'test') => {
    const idx = files.map((f, i) => (f.split === split ? i : -1)).filter((i) => i >= 0);
    const x = new Uint8Array(idx.length * per);
    const y = new Int32Array(idx.length);
    idx.forEach((fi, r) => {
      const f = files[fi];
      const im = decodeImage(f.read(), `${where}/${f.rel}`);
      writeChw(im, H, W, x, r * per);
      y[r] = classIndex.get(f.cls)!;
    });
    return { x, y };
  };
  const tr = decodeSplit('train');
  const hasTest = files.some((f) => f.split === 'test');
  const te = hasTest ? decodeSplit('test') : null;
  return { shape: [3, H, W], classNames: trainClasses, trainX: tr.x, trainY: tr.y, testX: te?.x ?? null, testY: te?.y ?? null };
}

function toFloat(x: Uint8Array): Float32Array {
  const f = new Float32Array(x.length);
  const s = 1 / 255;
  for (let i = 0; i < x.length; i++) f[i] = x[i] * s;
  return f;
}

/** Content-and-options key of the decoded-image cache. */
function cacheKey(contentId: string, opts: LoadOptions): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        v: CACHE_VERSION,
        contentId,
        limit: opts.limit ?? null,
        size: opts.imageSize ?? null,
        resize: opts.resize !== false,
      }),
    )
    .digest('hex')
    .slice(0, 32);
}

/** Loads an image-folder dataset (see module comment), using/refreshing the decoded cache unless opts.cache === false. */
export function loadImageFolder(name: string, src: ImageSource, opts: LoadOptions = {}): { ds: Dataset; cached: boolean } {
  const where = src.kind === 'dir' ? src.dir : src.file;
  const useCache = opts.cache !== false;
  // Archives are keyed by their sha256, so a cache hit needs no listing at all.
  let listing: Listing | null = null;
  const contentId = src.kind === 'archive' ? `archive:${src.sha256}` : (listing = listSource(src)).contentId;
  const key = cacheKey(contentId, opts);
  const file = cachePath(opts, key);
  let dec = useCache ? readCache(file, key) : null;
  const cached = dec !== null;
  if (!dec) {
    listing ??= listSource(src);
    dec = decodeAll(listing, where, opts);
    if (useCache) writeCache(file, key, dec);
  }
  const train: Tensorish = { x: toFloat(dec.trainX), y: dec.trainY, n: dec.trainY.length };
  const test: Tensorish | undefined =
    dec.testX && dec.testY ? { x: toFloat(dec.testX), y: dec.testY, n: dec.testY.length } : undefined;
  const ds: Dataset = {
    name,
    shape: dec.shape,
    classes: dec.classNames.length,
    classNames: dec.classNames,
    train,
    test,
    source: where,
  };
  if (src.kind === 'archive') ds.sha256 = src.sha256;
  return { ds, cached };
}

/** Hashes an archive file for `ImageSource`. */
export function archiveSource(file: string): ImageSource {
  const buf = readFileOrThrow(file);
  return { kind: 'archive', file, buf, sha256: sha256(buf) };
}
