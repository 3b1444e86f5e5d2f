;; The float32 kernels of nn_impl's engine in the browser: WebAssembly SIMD (f32x4), working in place on Pyodide's
;; own memory, so NumPy's arrays are read and written where they lie (the Python side, nn_impl/matmul.py, passes
;; their addresses, arr.ctypes.data). Assembled at build time by the pinned wabt (buildtools/wasm_kernels.py),
;; which also puts in front the "dylink.0" section that lets Pyodide's loader link it to that memory.
;;
;;   sgemm(m, n, k, a, a_row, a_col, b, b_row, c, c_row)      C = A @ B
;;   adam(n, p, g, m, v, beta1, beta2, eps, inverse_step)     one Adam step on n parameters (see $adam)
;;
;; A is (m, k) with any strides: A[i, p] lies at a + 4·(i·a_row + p·a_col), so a transposed view (X.T) is read
;; as it is. B is (k, n) with contiguous rows: B[p, j] at b + 4·(p·b_row + j). C is (m, n), C[i, j] at
;; c + 4·(i·c_row + j), overwritten. Strides are in elements; m, n, k >= 1.
;;
;; The work is cut into tiles of 4 rows × 8 columns of C held in eight f32x4 registers: each step over p loads
;; 8 numbers of B's row p (two vectors) and broadcasts one number of each of A's 4 rows, then multiplies and adds
;; (32 multiply-adds per 6 loads). The rows below the last whole group of 4 go in tiles of 1 × 8; the columns
;; right of the last whole strip of 8 through the one-row routine ($row), 4 columns at once, then single ones.
;; Every C[i, j] is the sum over p = 0, 1, ..., k-1 in that order, in float32 (multiply, then add: no fused
;; multiply-add, so the result does not depend on the machine).
(module
  (import "env" "memory" (memory 0))

  (func $sgemm (export "sgemm")
    (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $a_row i32) (param $a_col i32)
    (param $b i32) (param $b_row i32)
    (param $c i32) (param $c_row i32)
    (local $i i32) (local $j i32)
    ;; strides in bytes from here on
    (local.set $a_row (i32.shl (local.get $a_row) (i32.const 2)))
    (local.set $a_col (i32.shl (local.get $a_col) (i32.const 2)))
    (local.set $b_row (i32.shl (local.get $b_row) (i32.const 2)))
    (local.set $c_row (i32.shl (local.get $c_row) (i32.const 2)))
    ;; Strips of 8 columns, each computed for every row before the next: the strip of B (k × 8 numbers) stays in
    ;; the cache while all of A streams past it. (Row groups outside, B whole for each, was twice as slow once B
    ;; outgrew the cache: 784 × 128 floats.)
    (block $strips_done
      (loop $strips
        (br_if $strips_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $groups_done
          (loop $groups
            (br_if $groups_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
            (call $tile_4x8
              (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $a_row))) (local.get $a_row) (local.get $a_col)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $b_row)
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $c_row))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $c_row) (local.get $k))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $groups)))
        ;; the last m mod 4 rows of the strip, one at a time
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
            (call $tile_1x8
              (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $a_row))) (local.get $a_col)
              (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $b_row)
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $c_row))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $k))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $strips)))
    ;; the last n mod 8 columns, row by row
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $i (i32.const 0))
        (loop $tail_rows
          (call $row
            (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $a_row))) (local.get $a_col)
            (local.get $b) (local.get $b_row)
            (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $c_row)))
            (local.get $j) (local.get $n) (local.get $k))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $tail_rows (i32.lt_u (local.get $i) (local.get $m)))))))

  ;; C[i:i+4, j:j+8] for pa = &A[i, 0], pb = &B[0, j], pc = &C[i, j]; strides in bytes.
  (func $tile_4x8
    (param $pa i32) (param $a_row i32) (param $a_col i32) (param $pb i32) (param $b_row i32)
    (param $pc i32) (param $c_row i32) (param $k i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $lo v128) (local $hi v128) (local $x v128)
    (local $c0lo v128) (local $c0hi v128) (local $c1lo v128) (local $c1hi v128)
    (local $c2lo v128) (local $c2hi v128) (local $c3lo v128) (local $c3hi v128)
    (local.set $a0 (local.get $pa))
    (local.set $a1 (i32.add (local.get $a0) (local.get $a_row)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $a_row)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $a_row)))
    (loop $p
      (local.set $lo (v128.load align=4 (local.get $pb)))
      (local.set $hi (v128.load offset=16 align=4 (local.get $pb)))
      (local.set $x (v128.load32_splat align=4 (local.get $a0)))
      (local.set $c0lo (f32x4.add (local.get $c0lo) (f32x4.mul (local.get $x) (local.get $lo))))
      (local.set $c0hi (f32x4.add (local.get $c0hi) (f32x4.mul (local.get $x) (local.get $hi))))
      (local.set $x (v128.load32_splat align=4 (local.get $a1)))
      (local.set $c1lo (f32x4.add (local.get $c1lo) (f32x4.mul (local.get $x) (local.get $lo))))
      (local.set $c1hi (f32x4.add (local.get $c1hi) (f32x4.mul (local.get $x) (local.get $hi))))
      (local.set $x (v128.load32_splat align=4 (local.get $a2)))
      (local.set $c2lo (f32x4.add (local.get $c2lo) (f32x4.mul (local.get $x) (local.get $lo))))
      (local.set $c2hi (f32x4.add (local.get $c2hi) (f32x4.mul (local.get $x) (local.get $hi))))
      (local.set $x (v128.load32_splat align=4 (local.get $a3)))
      (local.set $c3lo (f32x4.add (local.get $c3lo) (f32x4.mul (local.get $x) (local.get $lo))))
      (local.set $c3hi (f32x4.add (local.get $c3hi) (f32x4.mul (local.get $x) (local.get $hi))))
      (local.set $a0 (i32.add (local.get $a0) (local.get $a_col)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $a_col)))
      (local.set $a2 (i32.add (local.get $a2) (local.get $a_col)))
      (local.set $a3 (i32.add (local.get $a3) (local.get $a_col)))
      (local.set $pb (i32.add (local.get $pb) (local.get $b_row)))
      (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store align=4 (local.get $pc) (local.get $c0lo))
    (v128.store offset=16 align=4 (local.get $pc) (local.get $c0hi))
    (local.set $pc (i32.add (local.get $pc) (local.get $c_row)))
    (v128.store align=4 (local.get $pc) (local.get $c1lo))
    (v128.store offset=16 align=4 (local.get $pc) (local.get $c1hi))
    (local.set $pc (i32.add (local.get $pc) (local.get $c_row)))
    (v128.store align=4 (local.get $pc) (local.get $c2lo))
    (v128.store offset=16 align=4 (local.get $pc) (local.get $c2hi))
    (local.set $pc (i32.add (local.get $pc) (local.get $c_row)))
    (v128.store align=4 (local.get $pc) (local.get $c3lo))
    (v128.store offset=16 align=4 (local.get $pc) (local.get $c3hi)))

  ;; C[i, j0:n] for pa = &A[i, 0], pb = &B[0, 0], pc = &C[i, 0]: tiles of 8 columns, then 4, then single ones.
  (func $row
    (param $pa i32) (param $a_col i32) (param $pb i32) (param $b_row i32) (param $pc i32)
    (param $j i32) (param $n i32) (param $k i32)
    (block $wide_done
      (loop $wide
        (br_if $wide_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (call $tile_1x8 (local.get $pa) (local.get $a_col)
          (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))) (local.get $b_row)
          (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $k))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $wide)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))
      (then
        (call $tile_1x4 (local.get $pa) (local.get $a_col)
          (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))) (local.get $b_row)
          (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $k))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (block $single_done
      (loop $single
        (br_if $single_done (i32.ge_u (local.get $j) (local.get $n)))
        (call $tile_1x1 (local.get $pa) (local.get $a_col)
          (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))) (local.get $b_row)
          (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (local.get $k))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $single))))

  ;; C[i, j:j+8] for pa = &A[i, 0], pb = &B[0, j], pc = &C[i, j].
  (func $tile_1x8
    (param $pa i32) (param $a_col i32) (param $pb i32) (param $b_row i32) (param $pc i32) (param $k i32)
    (local $x v128) (local $lo v128) (local $hi v128)
    (loop $p
      (local.set $x (v128.load32_splat align=4 (local.get $pa)))
      (local.set $lo (f32x4.add (local.get $lo) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $pb)))))
      (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (local.get $a_col)))
      (local.set $pb (i32.add (local.get $pb) (local.get $b_row)))
      (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store align=4 (local.get $pc) (local.get $lo))
    (v128.store offset=16 align=4 (local.get $pc) (local.get $hi)))

  ;; C[i, j:j+4], as $tile_1x8 with one vector.
  (func $tile_1x4
    (param $pa i32) (param $a_col i32) (param $pb i32) (param $b_row i32) (param $pc i32) (param $k i32)
    (local $sum v128)
    (loop $p
      (local.set $sum (f32x4.add (local.get $sum)
        (f32x4.mul (v128.load32_splat align=4 (local.get $pa)) (v128.load align=4 (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (local.get $a_col)))
      (local.set $pb (i32.add (local.get $pb) (local.get $b_row)))
      (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store align=4 (local.get $pc) (local.get $sum)))

  ;; C[i, j], a scalar dot product.
  (func $tile_1x1
    (param $pa i32) (param $a_col i32) (param $pb i32) (param $b_row i32) (param $pc i32) (param $k i32)
    (local $sum f32)
    (loop $p
      (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (local.get $a_col)))
      (local.set $pb (i32.add (local.get $pb) (local.get $b_row)))
      (br_if $p (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (f32.store (local.get $pc) (local.get $sum)))
;; One step of nn_impl.optimizers.Adam on n contiguous float32 parameters p, their gradients g and the
  ;; moments m and v, in one pass instead of NumPy's ten: the same operations in the same order, in float32
  ;; (NumPy adds eps and scales in float64 before rounding; the two agree to float32 rounding):
  ;;   m <- beta1·m + g;  v <- beta2·v + g·g;  p <- p - m / ((sqrt(v) + eps)·inverse_step)
  ;; Four parameters per step, then the last n mod 4 one by one. g is left unchanged.
  (func $adam (export "adam")
    (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $beta1 f32) (param $beta2 f32) (param $eps f32) (param $inverse_step f32)
    (local $offset i32) (local $vector_end i32) (local $end i32)
    (local $b1 v128) (local $b2 v128) (local $e v128) (local $s v128)
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (local.set $s (f32x4.splat (local.get $inverse_step)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vector_end (i32.and (local.get $end) (i32.const -16)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $offset) (local.get $vector_end)))
        (local.set $gi (v128.load align=4 (i32.add (local.get $g) (local.get $offset))))
        (local.set $mi (f32x4.add (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $offset))) (local.get $b1))
                                  (local.get $gi)))
        (local.set $vi (f32x4.add (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $offset))) (local.get $b2))
                                  (f32x4.mul (local.get $gi) (local.get $gi))))
        (v128.store align=4 (i32.add (local.get $m) (local.get $offset)) (local.get $mi))
        (v128.store align=4 (i32.add (local.get $v) (local.get $offset)) (local.get $vi))
        (v128.store align=4 (i32.add (local.get $p) (local.get $offset))
          (f32x4.sub (v128.load align=4 (i32.add (local.get $p) (local.get $offset)))
            (f32x4.div (local.get $mi)
              (f32x4.mul (f32x4.add (f32x4.sqrt (local.get $vi)) (local.get $e)) (local.get $s)))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
        (br $vectors)))
    (block $scalars_done
      (loop $scalars
        (br_if $scalars_done (i32.ge_u (local.get $offset) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $offset))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $offset))) (local.get $beta1))
                                (local.get $gs)))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $offset))) (local.get $beta2))
                                (f32.mul (local.get $gs) (local.get $gs))))
        (f32.store (i32.add (local.get $m) (local.get $offset)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $offset)) (local.get $vs))
        (f32.store (i32.add (local.get $p) (local.get $offset))
          (f32.sub (f32.load (i32.add (local.get $p) (local.get $offset)))
            (f32.div (local.get $ms)
              (f32.mul (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)) (local.get $inverse_step)))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
        (br $scalars))))
)
