package main

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// The C2SP path encoding, against the tlog-tiles examples and against x/mod's
// own tile paths (which only add the height and call the entries level "data").
func TestC2SPTilePath(t *testing.T) {
	for _, c := range []struct {
		tile tlog.Tile
		want string
	}{
		{tlog.Tile{H: 8, L: 0, N: 1234067, W: 256}, "tile/0/x001/x234/067"},
		{tlog.Tile{H: 8, L: 1, N: 0, W: 17}, "tile/1/000.p/17"},
		{tlog.Tile{H: 8, L: -1, N: 1000, W: 1}, "tile/entries/x001/000.p/1"},
		{tlog.Tile{H: 8, L: 2, N: 999, W: 255}, "tile/2/999.p/255"},
	} {
		if got := c2spTilePath(c.tile); got != c.want {
			t.Errorf("c2spTilePath(%+v) = %q, want %q", c.tile, got, c.want)
		}
	}
	for _, n := range []int64{0, 1, 999, 1000, 1001, 999999, 1000000, 1234067, 1 << 40} {
		for _, l := range []int{-1, 0, 5} {
			for _, w := range []int{1, 44, 255, 256} {
				tile := tlog.Tile{H: 8, L: l, N: n, W: w}
				want := strings.Replace(strings.Replace(tile.Path(), "tile/8/", "tile/", 1), "tile/data/", "tile/entries/", 1)
				if got := c2spTilePath(tile); got != want {
					t.Errorf("c2spTilePath(%+v) = %q, x/mod-derived %q", tile, got, want)
				}
			}
		}
	}
}

// The tlog-tiles example: a tree of 70,000 has 273 full level-0 tiles, one of
// width 112, one full level-1 tile, one of width 17, one level-2 tile of width 1.
func TestExpectedTiles(t *testing.T) {
	got := map[[2]int]int{}
	for _, tile := range expectedTiles(70000) {
		got[[2]int{tile.L, tile.W}]++
	}
	want := map[[2]int]int{{0, 256}: 273, {0, 112}: 1, {1, 256}: 1, {1, 17}: 1, {2, 1}: 1}
	if len(got) != len(want) {
		t.Fatalf("expectedTiles(70000) = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("expectedTiles(70000)[level %d, width %d] = %d, want %d", k[0], k[1], got[k], v)
		}
	}
	if tiles := expectedTiles(256); len(tiles) != 2 || tiles[1] != (tlog.Tile{H: 8, L: 1, N: 0, W: 1}) {
		t.Errorf("expectedTiles(256) = %v, want a full level-0 tile and a level-1 tile of width 1", tiles)
	}
}
