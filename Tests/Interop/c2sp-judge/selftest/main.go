// Command selftest writes the fixtures that Tests/Interop/c2sp-judge/selftest.sh
// feeds to the judge: signed checkpoints with cosignature/v1 cosignatures
// (valid and tampered), tlog-tiles trees, and inclusion/consistency proofs.
// Trees, tiles and proofs are computed here straight from the RFC 6962 and
// tlog-tiles definitions (recursive MTH, PATH, PROOF), not with x/mod's tlog,
// so that the judge's x/mod code is checked against a second reading.
//
// Usage: selftest OUTDIR   (writes OUTDIR/manifest, one check per line)
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type hash [32]byte

func leafHash(e []byte) hash { return sha256.Sum256(append([]byte{0}, e...)) }
func nodeHash(l, r hash) hash {
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// largest power of two strictly less than n (n ≥ 2)
func split(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// mth is RFC 6962 §2.1 MTH over leaf hashes.
func mth(d []hash) hash {
	switch len(d) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return d[0]
	}
	k := split(len(d))
	return nodeHash(mth(d[:k]), mth(d[k:]))
}

// path is RFC 6962 §2.1.1 PATH(m, D[n]), leaf level first.
func path(m int, d []hash) []hash {
	if len(d) <= 1 {
		return nil
	}
	k := split(len(d))
	if m < k {
		return append(path(m, d[:k]), mth(d[k:]))
	}
	return append(path(m-k, d[k:]), mth(d[:k]))
}

// proof is RFC 6962 §2.1.2 PROOF(m, D[n]).
func proof(m int, d []hash) []hash { return subproof(m, d, true) }

func subproof(m int, d []hash, b bool) []hash {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return []hash{mth(d)}
	}
	k := split(n)
	if m <= k {
		return append(subproof(m, d[:k], b), mth(d[k:]))
	}
	return append(subproof(m-k, d[k:], false), mth(d[:k]))
}

var out string
var manifest []string

func check(expect string, args ...string) {
	manifest = append(manifest, expect+"\t"+strings.Join(args, "\t"))
}

func write(rel string, data []byte) string {
	p := filepath.Join(out, rel)
	must(os.MkdirAll(filepath.Dir(p), 0o755))
	must(os.WriteFile(p, data, 0o644))
	return p
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// ---- cosignature/v1 signer (our own; x/mod knows only type 0x01) ----

type cosigner struct {
	name string
	priv ed25519.PrivateKey
	ts   uint64
}

func keyID(name string, typeAndKey []byte) uint32 {
	h := sha256.Sum256(append([]byte(name+"\n"), typeAndKey...))
	return binary.BigEndian.Uint32(h[:4])
}

func (c *cosigner) material() []byte {
	return append([]byte{0x04}, c.priv.Public().(ed25519.PublicKey)...)
}
func (c *cosigner) Name() string    { return c.name }
func (c *cosigner) KeyHash() uint32 { return keyID(c.name, c.material()) }
func (c *cosigner) vkey() string {
	return fmt.Sprintf("%s+%08x+%s", c.name, c.KeyHash(), b64(c.material()))
}
func (c *cosigner) Sign(msg []byte) ([]byte, error) {
	m := "cosignature/v1\ntime " + strconv.FormatUint(c.ts, 10) + "\n" + string(msg)
	sig := make([]byte, 8, 8+64)
	binary.BigEndian.PutUint64(sig, c.ts)
	return append(sig, ed25519.Sign(c.priv, []byte(m))...), nil
}

func newCosigner(name string, ts uint64) *cosigner {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	must(err)
	return &cosigner{name: name, priv: priv, ts: ts}
}

func sign(text string, signers ...note.Signer) []byte {
	msg, err := note.Sign(&note.Note{Text: text}, signers...)
	must(err)
	return msg
}

// sigLine returns the signature line of signer s over text.
func sigLine(text string, s note.Signer) string {
	msg := string(sign(text, s))
	return msg[strings.LastIndex(msg, "\n\n")+2:]
}

// mutateSig decodes the base64 of a signature line, applies f, re-encodes.
func mutateSig(line string, f func([]byte)) string {
	sp := strings.LastIndex(line, " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(line[sp+1:], "\n"))
	must(err)
	f(raw)
	return line[:sp+1] + b64(raw) + "\n"
}

// ---- trees and tiles ----

func tilePath(level string, n int, w int) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	p := "tile/" + level + "/" + s
	if w != 256 {
		p += ".p/" + strconv.Itoa(w)
	}
	return p
}

func entry(i int) []byte {
	// varying lengths: some empty, some longer than 255 bytes
	switch {
	case i%97 == 5:
		return []byte{}
	case i%500 == 7:
		return []byte(strings.Repeat("long ", 200) + strconv.Itoa(i))
	}
	return []byte(strings.Repeat("e", i%13) + strconv.Itoa(i))
}

// writeTiles writes every tile and bundle of the tree of the given size into
// dir, from the tlog-tiles formula MTH(D[(n*256+i)*256^l : (n*256+i+1)*256^l]).
func writeTiles(dir string, leaves []hash, size int) (nTiles int) {
	for l, per := 0, 1; size/per > 0; l, per = l+1, per*256 {
		count := size / per
		for n := 0; n*256 < count; n++ {
			w := count - n*256
			if w > 256 {
				w = 256
			}
			var data []byte
			for i := 0; i < w; i++ {
				h := mth(leaves[(n*256+i)*per : (n*256+i+1)*per])
				data = append(data, h[:]...)
			}
			write(filepath.Join(dir, tilePath(strconv.Itoa(l), n, w)), data)
			nTiles++
			if l == 0 {
				var b []byte
				for i := 0; i < w; i++ {
					e := entry(n*256 + i)
					b = append(b, byte(len(e)>>8), byte(len(e)))
					b = append(b, e...)
				}
				write(filepath.Join(dir, tilePath("entries", n, w)), b)
			}
		}
	}
	return nTiles
}

func hashFile(rel string, hs []hash) string {
	var sb strings.Builder
	for _, h := range hs {
		sb.WriteString(b64(h[:]) + "\n")
	}
	return write(rel, []byte(sb.String()))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: selftest OUTDIR")
		os.Exit(2)
	}
	out = os.Args[1]

	// ---- the tree: 70000 entries, the tlog-tiles example size ----
	const maxSize = 70001 // one more than the largest tree, for the negative cases
	leaves := make([]hash, maxSize)
	for i := range leaves {
		leaves[i] = leafHash(entry(i))
	}
	root := func(n int) string { h := mth(leaves[:n]); return b64(h[:]) }

	// ---- keys ----
	origin := "example.com/sealedbid-selftest-log"
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	must(err)
	logSigner, err := note.NewSigner(skey)
	must(err)
	w1 := newCosigner("witness.example.com/w1", 1679315147)
	w2 := newCosigner("witness.example.com/w2", 1700000000)
	w3 := newCosigner("witness.example.com/w3", 0)
	wUnknown := newCosigner("witness.example.com/unlisted", 1)
	write("log.vkey", []byte(vkey))
	write("w1.vkey", []byte(w1.vkey()))
	write("w2.vkey", []byte(w2.vkey()))
	W := func(c *cosigner) string { return "--witness-vkey=" + c.vkey() }
	L := "--log-vkey=" + vkey

	text := fmt.Sprintf("%s\n%d\n%s\n", origin, 1000, root(1000))
	other := fmt.Sprintf("%s\n%d\n%s\n", origin, 1001, root(1001))

	ok := write("notes/ok.note", sign(text, logSigner, w1, w2, wUnknown))
	check("0", "note", L, W(w1), W(w2), "--quorum=2", ok)
	check("0", "note", L, W(w1), W(w2), W(w3), "--quorum=2", ok)
	check("1", "note", L, W(w1), W(w2), W(w3), "--quorum=3", ok)                         // quorum not met
	check("0", "note", L, ok)                                                            // witnesses not configured: ignored
	check("1", "note", "--log-vkey="+w1.vkey(), ok)                                      // a 0x04 key is not a log (0x01) key
	check("1", "note", L, "--witness-vkey="+vkey, ok)                                    // a 0x01 key is not a witness key
	check("1", "note", L, "--witness-vkey="+w1.name+"+00000000+"+b64(w1.material()), ok) // wrong key ID

	// Only one witness cosigned: quorum 2 fails.
	one := write("notes/one-witness.note", sign(text, logSigner, w1))
	check("0", "note", L, W(w1), W(w2), "--quorum=1", one)
	check("1", "note", L, W(w1), W(w2), "--quorum=2", one)

	// The same cosignature twice counts once.
	dup := sign(text, logSigner, w1)
	dup = append(dup, []byte(sigLine(text, w1))...)
	dupPath := write("notes/duplicate-witness.note", dup)
	check("1", "note", L, W(w1), W(w2), "--quorum=2", dupPath)

	// A flipped byte in w1's Ed25519 signature, and in its key ID.
	logLine, w1Line, w2Line := sigLine(text, logSigner), sigLine(text, w1), sigLine(text, w2)
	flip := write("notes/flipped-cosig.note", []byte(text+"\n"+logLine+mutateSig(w1Line, func(b []byte) { b[4+8+10] ^= 1 })+w2Line))
	check("1", "note", L, W(w1), W(w2), flip)
	flipTS := write("notes/wrong-timestamp.note", []byte(text+"\n"+logLine+mutateSig(w1Line, func(b []byte) { b[4+7]++ })+w2Line))
	check("1", "note", L, W(w1), W(w2), flipTS)
	// (with w1 not configured, its broken line is an unknown signature and ignored)
	check("0", "note", L, W(w2), "--quorum=1", flipTS)
	// A key-ID flip turns the line into an unknown key's: ignored, so quorum 2 fails.
	flipID := write("notes/flipped-keyid.note", []byte(text+"\n"+logLine+mutateSig(w1Line, func(b []byte) { b[0] ^= 1 })+w2Line))
	check("0", "note", L, W(w1), W(w2), "--quorum=1", flipID)
	check("1", "note", L, W(w1), W(w2), "--quorum=2", flipID)

	// w1's cosignature over another checkpoint.
	otherCP := write("notes/cosig-other-checkpoint.note", []byte(text+"\n"+logLine+sigLine(other, w1)+w2Line))
	check("1", "note", L, W(w1), W(w2), otherCP)

	// No log signature, only cosignatures; and a broken log signature.
	noLog := write("notes/no-log-signature.note", []byte(text+"\n"+w1Line+w2Line))
	check("1", "note", L, W(w1), W(w2), noLog)
	badLog := write("notes/bad-log-signature.note", []byte(text+"\n"+mutateSig(logLine, func(b []byte) { b[30] ^= 0x80 })+w1Line))
	check("1", "note", L, W(w1), badLog)
	// Log signature by another log key with the same name (unknown key ID): absent.
	skey2, _, _ := note.GenerateKey(rand.Reader, origin)
	otherLog, _ := note.NewSigner(skey2)
	wrongLog := write("notes/other-log-key.note", sign(text, otherLog, w1))
	check("1", "note", L, W(w1), wrongLog)

	// Timestamps: 2^63-1 is allowed, 2^63 is not (even with a valid signature).
	wMax := &cosigner{name: "witness.example.com/max", priv: w3.priv, ts: 1<<63 - 1}
	wOver := &cosigner{name: "witness.example.com/max", priv: w3.priv, ts: 1 << 63}
	maxTS := write("notes/timestamp-max.note", sign(text, logSigner, wMax))
	check("0", "note", L, W(wMax), "--quorum=1", maxTS)
	overTS := write("notes/timestamp-2^63.note", sign(text, logSigner, wOver))
	check("1", "note", L, W(wOver), overTS)
	zeroTS := write("notes/timestamp-0.note", sign(text, logSigner, w3))
	check("0", "note", L, W(w3), "--quorum=1", zeroTS)

	// Extension lines are cosigned; an empty one is not a checkpoint.
	ext := write("notes/extension.note", sign(text+"ext one\next two\n", logSigner, w1))
	check("0", "note", L, W(w1), "--quorum=1", ext)
	emptyExt := write("notes/empty-extension.note", sign(text+"ext\n\nmore\n", logSigner))
	check("1", "note", L, emptyExt)
	// Checkpoint body errors, all properly signed.
	for name, body := range map[string]string{
		"leading-zero-size": fmt.Sprintf("%s\n0%d\n%s\n", origin, 1000, root(1000)),
		"short-root":        fmt.Sprintf("%s\n%d\n%s\n", origin, 1000, b64(make([]byte, 31))),
		"noncanonical-root": fmt.Sprintf("%s\n%d\n%s\n", origin, 1000, root(1000)[:42]+"J="),
		"two-lines":         fmt.Sprintf("%s\n%d\n", origin, 1000),
		"negative-size":     fmt.Sprintf("%s\n-1\n%s\n", origin, root(1000)),
	} {
		p := write("notes/bad-"+name+".note", sign(body, logSigner))
		check("1", "note", L, p)
	}
	// Size 0 with the empty root, signed.
	empty := write("notes/empty-tree.note", sign(fmt.Sprintf("%s\n0\n%s\n", origin, root(0)), logSigner, w1))
	check("0", "note", L, W(w1), "--quorum=1", empty)

	// ---- tiles ----
	for _, size := range []int{1, 255, 256, 257, 300, 1000, 65536, 70000} {
		writeTiles(filepath.Join("trees", strconv.Itoa(size)), leaves, size)
		dir := filepath.Join(out, "trees", strconv.Itoa(size))
		check("0", "tiles", "--dir="+dir, "--size="+strconv.Itoa(size), "--root="+root(size))
		check("1", "tiles", "--dir="+dir, "--size="+strconv.Itoa(size), "--root="+root(size-1))
	}
	// One directory grown 300 → 1000: old partial tiles stay; both sizes check.
	writeTiles(filepath.Join("trees", "grown"), leaves, 300)
	writeTiles(filepath.Join("trees", "grown"), leaves, 1000)
	grown := filepath.Join(out, "trees", "grown")
	check("0", "tiles", "--dir="+grown, "--size=300", "--root="+root(300))
	check("0", "tiles", "--dir="+grown, "--size=1000", "--root="+root(1000))
	// 301 needs tile/0/001.p/45: absent, but the full tile 001 serves (a fallback).
	check("0", "tiles", "--dir="+grown, "--size=301", "--root="+root(301))
	check("1", "tiles", "--dir="+filepath.Join(out, "trees", "300"), "--size=301", "--root="+root(301))
	// Size 0: no tiles, root SHA-256("").
	check("0", "tiles", "--dir="+grown, "--size=0", "--root="+root(0))

	// ---- proofs ----
	for _, m := range []int{1, 2, 3, 7, 255, 256, 300, 1000, 70000} {
		for _, i := range []int{0, 1, m / 2, m - 1} {
			if i >= m {
				continue
			}
			pf := hashFile(fmt.Sprintf("proofs/incl-%d-%d", m, i), path(i, leaves[:m]))
			lh := hex.EncodeToString(leaves[i][:])
			args := []string{"inclusion", "--leaf-hash=" + lh, "--index=" + strconv.Itoa(i), "--size=" + strconv.Itoa(m), "--root=" + root(m), "--proof-file=" + pf}
			check("0", args...)
			check("1", "inclusion", "--leaf-hash="+hex.EncodeToString(leaves[i+1][:]), "--index="+strconv.Itoa(i), "--size="+strconv.Itoa(m), "--root="+root(m), "--proof-file="+pf)
			check("1", "inclusion", "--leaf-hash="+lh, "--index="+strconv.Itoa(i), "--size="+strconv.Itoa(m+1), "--root="+root(m+1), "--proof-file="+pf)
		}
	}
	for _, pair := range [][2]int{{1, 1}, {1, 2}, {1, 8}, {3, 7}, {4, 8}, {6, 8}, {255, 256}, {256, 257}, {300, 1000}, {1000, 70000}, {65536, 70000}} {
		m, n := pair[0], pair[1]
		pf := hashFile(fmt.Sprintf("proofs/cons-%d-%d", m, n), proof(m, leaves[:n]))
		check("0", "consistency", "--old-size="+strconv.Itoa(m), "--old-root="+root(m), "--size="+strconv.Itoa(n), "--root="+root(n), "--proof-file="+pf)
		check("1", "consistency", "--old-size="+strconv.Itoa(m), "--old-root="+root(m+1), "--size="+strconv.Itoa(n), "--root="+root(n), "--proof-file="+pf)
	}

	write("manifest", []byte(strings.Join(manifest, "\n")+"\n"))
	fmt.Printf("%d checks written to %s/manifest\n", len(manifest), out)
}
