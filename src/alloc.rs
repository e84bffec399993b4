//! The allocator of the `amlint` binary: mimalloc, called the way most of amlint's allocations
//! need.
//!
//! The evaluator makes over a million small allocations on a large tree, where mimalloc is much
//! faster than the system allocator. The `mimalloc` crate's `GlobalAlloc` asks for every block
//! through `mi_malloc_aligned`, whose checks and extra calls cost about a third of an allocation;
//! nearly all of amlint's blocks need no more alignment than mimalloc gives any block. mimalloc
//! allocates a block of `size` bytes aligned to `min(size, 16)` at least (its blocks up to
//! `MI_MAX_ALIGN_SIZE` are naturally aligned: `mi_malloc_is_naturally_aligned` in
//! `alloc-aligned.c`), the same guarantee `std`'s system allocator relies on for `malloc`. So a
//! layout whose alignment is at most 16 and at most its size takes the plain calls, and any other
//! the aligned ones.

#![allow(unsafe_code)]

use libmimalloc_sys as ffi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every block of at least that many bytes has (`MI_MAX_ALIGN_SIZE`).
const PLAIN_ALIGN: usize = 16;

/// mimalloc as the global allocator (see the module documentation).
pub struct MiMalloc;

/// Whether a plain `mi_malloc` of `size` bytes is aligned enough for `align`.
#[inline]
fn plain(size: usize, align: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc and goes back to it; a plain call is used only where
// mimalloc's guarantee covers the layout's alignment (see `plain`), and `mi_free` frees blocks
// from either kind of call.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation functions accept any size and power-of-two alignment.
        unsafe {
            if plain(layout.size(), layout.align()) {
                ffi::mi_malloc(layout.size()).cast()
            } else {
                ffi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.size(), layout.align()) {
                ffi::mi_zalloc(layout.size()).cast()
            } else {
                ffi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, that is by mimalloc.
        unsafe { ffi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a live block of mimalloc's; the new block is as aligned as the layout
        // needs (see `plain`).
        unsafe {
            if plain(new_size, layout.align()) {
                ffi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                ffi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_as_their_layouts_need_and_keep_their_contents() {
        let a = MiMalloc;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [
                1usize, 2, 3, 7, 8, 9, 15, 16, 17, 24, 40, 100, 1000, 5000, 70_000,
            ] {
                let layout = Layout::from_size_align(size, align).unwrap();
                for zeroed in [false, true] {
                    // SAFETY: the layouts have a non-zero size; each block is used within its
                    // size and freed once, with the layout it was last given.
                    unsafe {
                        let mut p = if zeroed {
                            a.alloc_zeroed(layout)
                        } else {
                            a.alloc(layout)
                        };
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                        if zeroed {
                            assert!((0..size).all(|i| *p.add(i) == 0));
                        }
                        for i in 0..size {
                            *p.add(i) = i as u8;
                        }
                        for new_size in [size / 2 + 1, size * 3 + 5] {
                            let kept = size.min(new_size);
                            let q = a.realloc(p, layout, new_size);
                            assert!(!q.is_null());
                            assert_eq!(q as usize % align, 0, "{size} → {new_size}, {align}");
                            assert!((0..kept).all(|i| *q.add(i) == i as u8));
                            let grown = Layout::from_size_align(new_size, align).unwrap();
                            p = a.realloc(q, grown, size);
                            assert_eq!(p as usize % align, 0, "{new_size} → {size}, {align}");
                            assert!((0..kept).all(|i| *p.add(i) == i as u8));
                            for i in 0..size {
                                *p.add(i) = i as u8;
                            }
                        }
                        a.dealloc(p, layout);
                    }
                }
            }
        }
    }

    #[test]
    fn plain_calls_only_where_mimalloc_guarantees_the_alignment() {
        assert!(plain(1, 1));
        assert!(plain(8, 8));
        assert!(plain(24, 16));
        assert!(plain(16, 16));
        // Smaller than its alignment: mimalloc's small blocks are aligned to their size only.
        assert!(!plain(8, 16));
        assert!(!plain(64, 32));
    }
}
