import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../engine/index.ts';
import { applyQuery, augmentBatch, checkAugment, hflip, liraQueries, parseAugment, reflectPad } from './augment.ts';
import { channelStats, parseNormalize } from './normalize.ts';
import { InputError } from '../util/errors.ts';

const img = (n: number, c = 2, h = 6, w = 5) => E.tensor(Float32Array.from({ length: n * c * h * w }, (_, i) => i), [n, c, h, w]);
const arr = (t: E.Tensor) => Array.from(t.toFloat32());

test('flip and crop draw per image from the generator: same seed, same batch; every output is a window of the reflect-padded image', () => {
  E.tidy(() => {
    const x = img(16);
    const spec = { flip: true, crop: true, pad: 2 };
    const a = augmentBatch(x, spec, new E.Generator(7));
    const b = augmentBatch(x, spec, new E.Generator(7));
    const c = augmentBatch(x, spec, new E.Generator(8));
    assert.deepEqual(a.shape, x.shape);
    assert.deepEqual(arr(a), arr(b));
    assert.notDeepEqual(arr(a), arr(c));
    // Each augmented image equals flip?(x) padded and cut at some offset in [0, 2p]^2.
    let flips = 0;
    const shifts = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const got = JSON.stringify(arr(a.select(0, i)));
      let found = false;
      for (const f of [false, true])
        for (let oy = 0; oy <= 4 && !found; oy++)
          for (let ox = 0; ox <= 4 && !found; ox++) {
            const xi = x.narrow(0, i, 1);
            const cand = reflectPad(f ? hflip(xi) : xi, 2).narrow(2, oy, 6).narrow(3, ox, 5);
            if (JSON.stringify(arr(cand)) === got) {
              found = true;
              flips += f ? 1 : 0;
              shifts.add(`${oy},${ox}`);
            }
          }
      assert.ok(found, `image ${i} is a flipped/shifted copy`);
    }
    assert.ok(flips > 0 && flips < 16, 'some images flipped, some not');
    assert.ok(shifts.size > 2, 'offsets vary between images');
  });
});

test('flip only mirrors a random subset; a double flip is the identity', () => {
  E.tidy(() => {
    const x = img(32);
    const a = augmentBatch(x, { flip: true, crop: false, pad: 4 }, new E.Generator(1));
    let mirrored = 0;
    for (let i = 0; i < 32; i++) {
      const same = JSON.stringify(arr(a.select(0, i))) === JSON.stringify(arr(x.select(0, i)));
      if (!same) {
        assert.deepEqual(arr(a.select(0, i)), arr(hflip(x.narrow(0, i, 1)).select(0, 0)));
        mirrored++;
      }
    }
    assert.ok(mirrored > 4 && mirrored < 28);
    assert.deepEqual(arr(hflip(hflip(x))), arr(x));
  });
});

test("LiRA queries: 1, 2 (mirror), 18 (mirror x shifts {-4,0,4}^2); query 0 is the image, 1 its mirror", () => {
  assert.equal(liraQueries(1).length, 1);
  assert.equal(liraQueries(2).length, 2);
  const q18 = liraQueries(18);
  assert.equal(q18.length, 18);
  assert.equal(new Set(q18.map((q) => JSON.stringify(q))).size, 18);
  assert.deepEqual(q18[0], { flip: false, dx: 0, dy: 0 });
  assert.deepEqual(q18[1], { flip: true, dx: 0, dy: 0 });
  assert.throws(() => liraQueries(3), /--queries must be 1, 2 or 18/);
  E.tidy(() => {
    const x = E.randn([2, 3, 8, 8], new E.Generator(0));
    assert.deepEqual(arr(applyQuery(x, q18[0])), arr(x));
    // A shift by +4 columns moves column 4 to column 0.
    const s = applyQuery(x, { flip: false, dx: 4, dy: 0 });
    assert.deepEqual(arr(s.narrow(3, 0, 4)), arr(x.narrow(3, 4, 4).contiguous()));
  });
});

test('bad augmentation settings are input errors', () => {
  assert.equal(parseAugment('none'), null);
  assert.deepEqual(parseAugment('crop,flip', 2), { flip: true, crop: true, pad: 2 });
  assert.throws(() => parseAugment('rotate'), InputError);
  assert.throws(() => parseAugment('flip', 0), InputError);
  assert.throws(() => checkAugment({ flip: false, crop: true, pad: 4 }, [446]), /needs image data \[C,H,W\]/);
  assert.throws(() => checkAugment({ flip: false, crop: true, pad: 4 }, [3, 4, 4]), /smaller than the crop/);
  checkAugment({ flip: true, crop: true, pad: 4 }, [3, 32, 32]);
});

test('normalisation: per-channel mean/std over the given rows; parsing', () => {
  const x = new Float32Array(2 * 2 * 2 * 1);
  x.set([0, 2, 10, 10, 4, 6, 20, 30]); // row 0: ch0 [0,2] ch1 [10,10]; row 1: ch0 [4,6] ch1 [20,30]
  const ds = { name: 't', shape: [2, 2, 1], classes: 2, train: { x, y: new Int32Array([0, 1]), n: 2 }, source: '' };
  const s = channelStats(ds, [0, 1]);
  assert.deepEqual(s.mean, [3, 17.5]);
  assert.ok(Math.abs(s.std[0] - Math.sqrt(5)) < 1e-5);
  assert.deepEqual(channelStats(ds, [1]).mean, [5, 25]);
  assert.deepEqual(parseNormalize('0.5,0.4/0.2,0.3'), { mean: [0.5, 0.4], std: [0.2, 0.3] });
  assert.equal(parseNormalize('none'), null);
  assert.equal(parseNormalize('population'), 'population');
  assert.throws(() => parseNormalize('0.5/0'), InputError);
  assert.throws(() => channelStats({ ...ds, shape: [2] }, [0]), InputError);
});
