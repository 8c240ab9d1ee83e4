// Command c2sp-judge checks C2SP transparency-log artifacts (signed notes,
// checkpoints, Ed25519 cosignatures, RFC 6962 proofs and tlog-tiles trees)
// with golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, an
// implementation that is not SealedBid's. It is a test oracle: it prints one
// JSON object on stdout and exits 0 when the check passes, 1 with
// {"ok":false,"error":...} when it fails, and 2 on usage errors.
//
// Built offline against Debian's golang-golang-x-mod-dev (Go 1.19):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o c2sp-judge .
//
// See scripts/c2sp-judge, which installs the packages and builds this file.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const synopsis = `usage:
  c2sp-judge note --log-vkey VKEY [--witness-vkey VKEY]... [--quorum N] [--plain] FILE
  c2sp-judge parse [--plain] FILE
  c2sp-judge inclusion --leaf-hash HEX --index I --size N --root B64 --proof-file F
  c2sp-judge consistency --old-size N --old-root B64 --size M --root B64 --proof-file F
  c2sp-judge tiles --dir DIR --size N --root B64 [--skip-entries]

Prints one JSON object; exit 0: check passed, 1: check failed, 2: usage error.
`

// ---------------------------------------------------------------------------
// Output and exit codes.

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...interface{}) error {
	return usageError{fmt.Sprintf(format, args...)}
}

func emit(v interface{}) {
	out, err := json.Marshal(v)
	if err != nil {
		out = []byte(`{"ok":false,"error":"internal: cannot encode result"}`)
	}
	os.Stdout.Write(append(out, '\n'))
}

func main() {
	if len(os.Args) < 2 {
		finish(nil, usagef("missing subcommand"))
	}
	var result map[string]interface{}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "note":
		result, err = cmdNote(args)
	case "parse":
		result, err = cmdParse(args)
	case "inclusion":
		result, err = cmdInclusion(args)
	case "consistency":
		result, err = cmdConsistency(args)
	case "tiles":
		result, err = cmdTiles(args)
	case "-h", "--help", "help":
		fmt.Fprint(os.Stderr, synopsis)
		finish(nil, usagef("help requested"))
	default:
		err = usagef("unknown subcommand %q", os.Args[1])
	}
	finish(result, err)
}

func finish(result map[string]interface{}, err error) {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprint(os.Stderr, synopsis)
		emit(map[string]interface{}{"ok": false, "usage": true, "error": ue.msg})
		os.Exit(2)
	case err != nil:
		emit(map[string]interface{}{"ok": false, "error": err.Error()})
		os.Exit(1)
	}
	result["ok"] = true
	emit(result)
	os.Exit(0)
}

// ---------------------------------------------------------------------------
// Flag parsing (flags may come before or after the positional arguments).

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func parseFlags(fset *flag.FlagSet, args []string) ([]string, error) {
	fset.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, usagef("%s: %v", fset.Name(), err)
		}
		args = fset.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func requireFlags(fset *flag.FlagSet, names ...string) error {
	set := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, n := range names {
		if !set[n] {
			return usagef("%s: --%s is required", fset.Name(), n)
		}
	}
	return nil
}

// parseCount parses a decimal CLI number. Non-numbers are usage errors; a
// number that does not fit x/mod's int64 tree arithmetic fails the check.
func parseCount(name, s string) (int64, error) {
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, usagef("--%s: not a decimal number: %q", name, s)
	}
	if u >= 1<<63 {
		return 0, fmt.Errorf("--%s %d is 2^63 or more", name, u)
	}
	return int64(u), nil
}

func readInput(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("cannot read %s: %v", path, err)
	}
	return data, nil
}

// ---------------------------------------------------------------------------
// Strict encodings.

// decodeB64 decodes standard padded base64 and insists that the encoding is
// canonical (re-encodes to the same text), as a judge of encoders should.
func decodeB64(what, s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: bad base64 %q: %v", what, s, err)
	}
	if base64.StdEncoding.EncodeToString(b) != s {
		return nil, fmt.Errorf("%s: non-canonical base64 %q", what, s)
	}
	return b, nil
}

func decodeHash(what, s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := decodeB64(what, s)
	if err != nil {
		return h, err
	}
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("%s: %d bytes, want %d", what, len(b), tlog.HashSize)
	}
	copy(h[:], b)
	return h, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// isValidName is signed-note's rule for key names (same as x/mod's).
func isValidName(name string) bool {
	return name != "" && utf8.ValidString(name) &&
		strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

var lowerHex8 = regexp.MustCompile(`^[0-9a-f]{8}$`)

// splitVkey splits <name>+<hex8>+<base64(type||key)> and checks the key ID.
func splitVkey(vkey string) (name string, id uint32, material []byte, err error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return "", 0, nil, fmt.Errorf("vkey %q: want <name>+<hex8>+<base64>", vkey)
	}
	name = parts[0]
	if !isValidName(name) {
		return "", 0, nil, fmt.Errorf("vkey %q: invalid key name", vkey)
	}
	if !lowerHex8.MatchString(parts[1]) {
		return "", 0, nil, fmt.Errorf("vkey %q: key ID must be 8 lowercase hex digits", vkey)
	}
	idBytes, _ := hex.DecodeString(parts[1])
	id = binary.BigEndian.Uint32(idBytes)
	material, err = decodeB64("vkey "+vkey, parts[2])
	if err != nil {
		return "", 0, nil, err
	}
	if len(material) < 1 {
		return "", 0, nil, fmt.Errorf("vkey %q: empty key material", vkey)
	}
	if want := keyID(name, material); want != id {
		return "", 0, nil, fmt.Errorf("vkey %q: key ID %08x, but SHA-256(name||\\n||type||key)[:4] is %08x", vkey, id, want)
	}
	return name, id, material, nil
}

func keyID(name string, typeAndKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(typeAndKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// ---------------------------------------------------------------------------
// Cosignature v1 (C2SP tlog-cosignature, Ed25519, signature type 0x04).

const (
	sigTypeEd25519     = 0x01
	sigTypeCosigV1     = 0x04
	cosigV1SigLen      = 8 + ed25519.SignatureSize
	cosigV1HeaderLine  = "cosignature/v1\n"
	maxCosigTimestamp  = 1<<63 - 1
	checkpointHashSize = 32
)

type cosigV1Verifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey

	verified  bool
	timestamp uint64
	failure   string // why the last Verify failed
}

func newCosigV1Verifier(vkey string) (*cosigV1Verifier, error) {
	name, id, material, err := splitVkey(vkey)
	if err != nil {
		return nil, err
	}
	if material[0] != sigTypeCosigV1 {
		return nil, fmt.Errorf("witness vkey %q: signature type 0x%02x, want 0x04 (cosignature/v1)", vkey, material[0])
	}
	if len(material) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("witness vkey %q: %d key bytes, want 32", vkey, len(material)-1)
	}
	return &cosigV1Verifier{name: name, id: id, pub: ed25519.PublicKey(material[1:])}, nil
}

func (v *cosigV1Verifier) Name() string    { return v.name }
func (v *cosigV1Verifier) KeyHash() uint32 { return v.id }

// cosigV1Message is the message a cosignature/v1 signs: the header line, the
// time line, then the whole note text (the checkpoint body with its final newline).
func cosigV1Message(timestamp uint64, text []byte) []byte {
	var m bytes.Buffer
	m.WriteString(cosigV1HeaderLine)
	m.WriteString("time " + strconv.FormatUint(timestamp, 10) + "\n")
	m.Write(text)
	return m.Bytes()
}

func (v *cosigV1Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosigV1SigLen {
		v.failure = fmt.Sprintf("cosignature is %d bytes after the key ID, want %d (u64 timestamp || Ed25519 signature)", len(sig), cosigV1SigLen)
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	if ts > maxCosigTimestamp {
		v.failure = fmt.Sprintf("cosignature timestamp %d exceeds 2^63-1", ts)
		return false
	}
	if !ed25519.Verify(v.pub, cosigV1Message(ts, msg), sig[8:]) {
		v.failure = fmt.Sprintf("Ed25519 signature over cosignature/v1 message with time %d does not verify", ts)
		return false
	}
	v.verified, v.timestamp = true, ts
	return true
}

// ---------------------------------------------------------------------------
// Checkpoints (C2SP tlog-checkpoint).

type checkpoint struct {
	Origin     string
	Size       uint64
	Root       []byte
	Extensions []string
}

var decimalNoLeadingZero = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

func parseCheckpoint(text string) (*checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("checkpoint: note text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, fmt.Errorf("checkpoint: %d lines, want at least 3 (origin, size, root hash)", len(lines))
	}
	c := &checkpoint{Origin: lines[0]}
	if c.Origin == "" {
		return nil, errors.New("checkpoint: empty origin line")
	}
	if !decimalNoLeadingZero.MatchString(lines[1]) {
		return nil, fmt.Errorf("checkpoint: tree size %q is not a decimal without leading zeroes", lines[1])
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: tree size %q: %v", lines[1], err)
	}
	c.Size = size
	root, err := decodeB64("checkpoint root hash", lines[2])
	if err != nil {
		return nil, err
	}
	if len(root) != checkpointHashSize {
		return nil, fmt.Errorf("checkpoint: root hash is %d bytes, want 32", len(root))
	}
	c.Root = root
	for i, ext := range lines[3:] {
		if ext == "" {
			return nil, fmt.Errorf("checkpoint: extension line %d is empty", i+1)
		}
		c.Extensions = append(c.Extensions, ext)
	}
	return c, nil
}

func (c *checkpoint) addTo(out map[string]interface{}) {
	out["origin"] = c.Origin
	out["size"] = c.Size
	out["root"] = b64(c.Root)
	if c.Extensions == nil {
		out["extensions"] = []string{}
	} else {
		out["extensions"] = c.Extensions
	}
}

// checkSignatureLines re-reads the signature block (after the last blank
// line, which is how x/mod splits it) and insists on canonical base64, which
// x/mod's note.Open does not check.
func checkSignatureLines(msg []byte) error {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return nil // note.Open reports the malformed note
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(msg[i+2:]), "\n"), "\n") {
		rest := strings.TrimPrefix(line, "— ")
		sp := strings.LastIndex(rest, " ")
		if sp < 0 {
			continue // note.Open reports it
		}
		if _, err := decodeB64("signature line "+strconv.Quote(line), rest[sp+1:]); err != nil {
			return err
		}
	}
	return nil
}

type sigInfo struct {
	Name      string  `json:"name"`
	KeyID     string  `json:"key_id"`
	SigLen    int     `json:"sig_len"`
	Timestamp *uint64 `json:"timestamp,omitempty"`
}

func describeSigs(sigs []note.Signature) []sigInfo {
	out := []sigInfo{}
	for _, s := range sigs {
		info := sigInfo{Name: s.Name, KeyID: fmt.Sprintf("%08x", s.Hash)}
		if raw, err := base64.StdEncoding.DecodeString(s.Base64); err == nil && len(raw) >= 4 {
			info.SigLen = len(raw) - 4
			if info.SigLen == cosigV1SigLen {
				ts := binary.BigEndian.Uint64(raw[4:12])
				info.Timestamp = &ts
			}
		}
		out = append(out, info)
	}
	return out
}

// ---------------------------------------------------------------------------
// note: verify a checkpoint's log signature and witness cosignatures.

func cmdNote(args []string) (map[string]interface{}, error) {
	fset := flag.NewFlagSet("note", flag.ContinueOnError)
	logVkey := fset.String("log-vkey", "", "log's signed-note Ed25519 verifier key (type 0x01)")
	var witnessVkeys stringList
	fset.Var(&witnessVkeys, "witness-vkey", "witness cosignature/v1 verifier key (type 0x04); repeatable")
	quorum := fset.Int("quorum", 0, "minimum number of distinct witnesses whose cosignature verifies")
	plain := fset.Bool("plain", false, "the note is not a checkpoint: skip checkpoint parsing")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return nil, err
	}
	if err := requireFlags(fset, "log-vkey"); err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usagef("note: want exactly one FILE, got %d arguments", len(pos))
	}
	if *quorum < 0 {
		return nil, usagef("note: --quorum must not be negative")
	}
	msg, err := readInput(pos[0])
	if err != nil {
		return nil, err
	}

	// The log key: x/mod's own parser (type 0x01 only), plus the strict checks.
	if _, _, material, err := splitVkey(*logVkey); err != nil {
		return nil, fmt.Errorf("log vkey: %v", err)
	} else if material[0] != sigTypeEd25519 {
		return nil, fmt.Errorf("log vkey: signature type 0x%02x, want 0x01 (Ed25519)", material[0])
	}
	logVerifier, err := note.NewVerifier(*logVkey)
	if err != nil {
		return nil, fmt.Errorf("log vkey: x/mod note.NewVerifier: %v", err)
	}
	verifiers := []note.Verifier{logVerifier}
	var witnesses []*cosigV1Verifier
	seenVkey := map[string]bool{}
	for _, vk := range witnessVkeys {
		if seenVkey[vk] {
			continue
		}
		seenVkey[vk] = true
		w, err := newCosigV1Verifier(vk)
		if err != nil {
			return nil, err
		}
		witnesses = append(witnesses, w)
		verifiers = append(verifiers, w)
	}
	if *quorum > len(witnesses) {
		return nil, fmt.Errorf("quorum %d cannot be met with %d distinct witness keys", *quorum, len(witnesses))
	}

	if err := checkSignatureLines(msg); err != nil {
		return nil, err
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		var inv *note.InvalidSignatureError
		if errors.As(err, &inv) {
			for _, w := range witnesses {
				if w.name == inv.Name && w.id == inv.Hash && w.failure != "" {
					return nil, fmt.Errorf("x/mod note.Open: %v: %s", err, w.failure)
				}
			}
		}
		var unv *note.UnverifiedNoteError
		if errors.As(err, &unv) {
			return nil, fmt.Errorf("x/mod note.Open: %v (no signature by the log key %s+%08x nor any witness)", err, logVerifier.Name(), logVerifier.KeyHash())
		}
		return nil, fmt.Errorf("x/mod note.Open: %v", err)
	}
	logSigned := false
	for _, s := range n.Sigs {
		if s.Name == logVerifier.Name() && s.Hash == logVerifier.KeyHash() {
			logSigned = true
		}
	}
	if !logSigned {
		return nil, fmt.Errorf("no signature by the log key %s+%08x", logVerifier.Name(), logVerifier.KeyHash())
	}

	// The checkpoint body first, so that a malformed one is reported as such.
	var c *checkpoint
	if !*plain {
		if c, err = parseCheckpoint(n.Text); err != nil {
			return nil, err
		}
	}

	names := []string{}
	timestamps := map[string]uint64{}
	for _, w := range witnesses {
		if w.verified {
			names = append(names, w.name)
			timestamps[w.name] = w.timestamp
		}
	}
	if len(names) < *quorum {
		return nil, fmt.Errorf("quorum not met: %d of the required %d witnesses cosigned", len(names), *quorum)
	}

	out := map[string]interface{}{
		"log":        true,
		"log_name":   logVerifier.Name(),
		"witnesses":  names,
		"timestamps": timestamps,
		"unverified": describeSigs(n.UnverifiedSigs),
	}
	if c == nil {
		out["text"] = n.Text
	} else {
		c.addTo(out)
	}
	return out, nil
}

// parse: parse a signed note without verifying any signature (for examples
// whose keys are not published). Never a substitute for "note".
func cmdParse(args []string) (map[string]interface{}, error) {
	fset := flag.NewFlagSet("parse", flag.ContinueOnError)
	plain := fset.Bool("plain", false, "the note is not a checkpoint: skip checkpoint parsing")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usagef("parse: want exactly one FILE, got %d arguments", len(pos))
	}
	msg, err := readInput(pos[0])
	if err != nil {
		return nil, err
	}
	if err := checkSignatureLines(msg); err != nil {
		return nil, err
	}
	_, err = note.Open(msg, note.VerifierList())
	var unv *note.UnverifiedNoteError
	if !errors.As(err, &unv) {
		return nil, fmt.Errorf("x/mod note.Open: %v", err)
	}
	n := unv.Note
	out := map[string]interface{}{
		"verified":   false,
		"signatures": describeSigs(n.UnverifiedSigs),
	}
	if *plain {
		out["text"] = n.Text
		return out, nil
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	c.addTo(out)
	return out, nil
}

// ---------------------------------------------------------------------------
// inclusion / consistency proofs (RFC 6962 / 9162 via x/mod tlog).

func readProof(path string) ([]tlog.Hash, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	// An empty file is the empty proof; otherwise every line (the last newline
	// is optional) must hold one hash: a blank line is not a hash.
	proof := []tlog.Hash{}
	text := strings.TrimSuffix(string(data), "\n")
	if len(data) == 0 {
		return proof, nil
	}
	for i, line := range strings.Split(text, "\n") {
		h, err := decodeHash(fmt.Sprintf("proof file line %d", i+1), line)
		if err != nil {
			return nil, err
		}
		proof = append(proof, h)
	}
	return proof, nil
}

func cmdInclusion(args []string) (map[string]interface{}, error) {
	fset := flag.NewFlagSet("inclusion", flag.ContinueOnError)
	leafHex := fset.String("leaf-hash", "", "leaf hash, 64 hex digits (SHA-256(0x00||entry))")
	indexS := fset.String("index", "", "leaf index")
	sizeS := fset.String("size", "", "tree size")
	rootS := fset.String("root", "", "root hash, base64")
	proofFile := fset.String("proof-file", "", "file with one base64 hash per line, leaf level first (empty file: empty proof)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return nil, err
	}
	if err := requireFlags(fset, "leaf-hash", "index", "size", "root", "proof-file"); err != nil {
		return nil, err
	}
	if len(pos) != 0 {
		return nil, usagef("inclusion: unexpected arguments %q", pos)
	}
	index, err := parseCount("index", *indexS)
	if err != nil {
		return nil, err
	}
	size, err := parseCount("size", *sizeS)
	if err != nil {
		return nil, err
	}
	proof, err := readProof(*proofFile)
	if err != nil {
		return nil, err
	}
	leafBytes, err := hex.DecodeString(*leafHex)
	if err != nil || len(leafBytes) != tlog.HashSize {
		return nil, fmt.Errorf("--leaf-hash: want 64 hex digits, got %q", *leafHex)
	}
	var leaf tlog.Hash
	copy(leaf[:], leafBytes)
	root, err := decodeHash("--root", *rootS)
	if err != nil {
		return nil, err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, index, leaf); err != nil {
		return nil, fmt.Errorf("x/mod tlog.CheckRecord: %v", err)
	}
	return map[string]interface{}{"index": index, "size": size, "proof_len": len(proof)}, nil
}

func cmdConsistency(args []string) (map[string]interface{}, error) {
	fset := flag.NewFlagSet("consistency", flag.ContinueOnError)
	oldSizeS := fset.String("old-size", "", "older tree size")
	oldRootS := fset.String("old-root", "", "older root hash, base64")
	sizeS := fset.String("size", "", "newer tree size")
	rootS := fset.String("root", "", "newer root hash, base64")
	proofFile := fset.String("proof-file", "", "file with one base64 hash per line (empty file: empty proof)")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return nil, err
	}
	if err := requireFlags(fset, "old-size", "old-root", "size", "root", "proof-file"); err != nil {
		return nil, err
	}
	if len(pos) != 0 {
		return nil, usagef("consistency: unexpected arguments %q", pos)
	}
	oldSize, err := parseCount("old-size", *oldSizeS)
	if err != nil {
		return nil, err
	}
	size, err := parseCount("size", *sizeS)
	if err != nil {
		return nil, err
	}
	proof, err := readProof(*proofFile)
	if err != nil {
		return nil, err
	}
	oldRoot, err := decodeHash("--old-root", *oldRootS)
	if err != nil {
		return nil, err
	}
	root, err := decodeHash("--root", *rootS)
	if err != nil {
		return nil, err
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), size, root, oldSize, oldRoot); err != nil {
		return nil, fmt.Errorf("x/mod tlog.CheckTree: %v", err)
	}
	return map[string]interface{}{"old_size": oldSize, "size": size, "proof_len": len(proof)}, nil
}

// ---------------------------------------------------------------------------
// tiles: a C2SP tlog-tiles tree on disk, checked with x/mod's TileHashReader.

const tileHeight = 8
const fullWidth = 1 << tileHeight

// c2spTilePath maps an x/mod tile (height 8) to its C2SP tlog-tiles path:
// tile/<L>/<N>[.p/<W>], or tile/entries/<N>[.p/<W>] for L = -1 (x/mod's
// "data" level). x/mod's own Tile.Path adds the height ("tile/8/...").
func c2spTilePath(t tlog.Tile) string {
	n := t.N
	nStr := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		nStr = fmt.Sprintf("x%03d/%s", n%1000, nStr)
	}
	level := strconv.Itoa(t.L)
	if t.L == -1 {
		level = "entries"
	}
	p := "tile/" + level + "/" + nStr
	if t.W != fullWidth {
		p += ".p/" + strconv.Itoa(t.W)
	}
	return p
}

type tileStore struct {
	dir       string
	cache     map[tlog.Tile][]byte
	verified  map[tlog.Tile]bool
	fallbacks []string // partial tiles read from the full tile instead
}

func (s *tileStore) Height() int { return tileHeight }

// readFile reads a tile or bundle; a missing partial one may be served by the
// full one (tlog-tiles lets logs delete partial tiles once the full one exists).
func (s *tileStore) readFile(t tlog.Tile) ([]byte, bool, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(c2spTilePath(t))))
	if err == nil {
		return data, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || t.W == fullWidth {
		return nil, false, err
	}
	full := t
	full.W = fullWidth
	data, err2 := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(c2spTilePath(full))))
	if err2 != nil {
		return nil, false, err // report the partial tile as missing
	}
	s.fallbacks = append(s.fallbacks, c2spTilePath(t))
	return data, true, nil
}

func (s *tileStore) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != tileHeight || t.L < 0 || t.W < 1 || t.W > fullWidth {
			return nil, fmt.Errorf("unexpected tile request %+v", t)
		}
		if d, ok := s.cache[t]; ok {
			out[i] = d
			continue
		}
		data, fromFull, err := s.readFile(t)
		if err != nil {
			return nil, fmt.Errorf("tile %s: %v", c2spTilePath(t), err)
		}
		want := t.W * tlog.HashSize
		if fromFull {
			if len(data) != fullWidth*tlog.HashSize {
				return nil, fmt.Errorf("tile %s: %d bytes, want %d", c2spTilePath(tlog.Tile{H: t.H, L: t.L, N: t.N, W: fullWidth}), len(data), fullWidth*tlog.HashSize)
			}
			data = data[:want]
		} else if len(data) != want {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", c2spTilePath(t), len(data), want)
		}
		s.cache[t] = data
		out[i] = data
	}
	return out, nil
}

func (s *tileStore) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for _, t := range tiles {
		s.verified[t] = true
	}
}

// widthAt is the width of tile n at level l in the tree of the given size
// (0 when the tile does not exist).
func widthAt(size int64, level int, n int64) int {
	count := size >> uint(tileHeight*level) // hashes at this level
	w := count - n*fullWidth
	if w <= 0 {
		return 0
	}
	if w > fullWidth {
		return fullWidth
	}
	return int(w)
}

// expectedTiles lists the hash tiles a tree of the given size consists of.
func expectedTiles(size int64) []tlog.Tile {
	var tiles []tlog.Tile
	for level := 0; size>>uint(tileHeight*level) > 0; level++ {
		count := size >> uint(tileHeight*level)
		for n := int64(0); n*fullWidth < count; n++ {
			tiles = append(tiles, tlog.Tile{H: tileHeight, L: level, N: n, W: widthAt(size, level, n)})
		}
	}
	return tiles
}

func parseBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("truncated length prefix after %d entries", len(entries))
		}
		l := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+l {
			return nil, fmt.Errorf("entry %d: length %d but %d bytes left", len(entries), l, len(data)-2)
		}
		entries = append(entries, data[2:2+l])
		data = data[2+l:]
	}
	return entries, nil
}

func cmdTiles(args []string) (map[string]interface{}, error) {
	fset := flag.NewFlagSet("tiles", flag.ContinueOnError)
	dir := fset.String("dir", "", "directory holding tile/<L>/... and tile/entries/...")
	sizeS := fset.String("size", "", "tree size")
	rootS := fset.String("root", "", "root hash, base64")
	skipEntries := fset.Bool("skip-entries", false, "check only the hash tiles, not the entry bundles")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return nil, err
	}
	if err := requireFlags(fset, "dir", "size", "root"); err != nil {
		return nil, err
	}
	if len(pos) != 0 {
		return nil, usagef("tiles: unexpected arguments %q", pos)
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return nil, usagef("tiles: --dir %s is not a directory", *dir)
	}
	size, err := parseCount("size", *sizeS)
	if err != nil {
		return nil, err
	}
	root, err := decodeHash("--root", *rootS)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		// x/mod defines the empty tree's hash as all zeroes; RFC 6962 as SHA-256("").
		if [32]byte(root) != sha256.Sum256(nil) {
			return nil, fmt.Errorf("empty tree: root %s is not SHA-256(\"\")", b64(root[:]))
		}
		return map[string]interface{}{"size": 0, "root": b64(root[:]), "tiles": 0, "tiles_by_level": []int{}, "entries": 0, "bundles": 0, "fallbacks": []string{}}, nil
	}

	store := &tileStore{dir: *dir, cache: map[tlog.Tile][]byte{}, verified: map[tlog.Tile]bool{}}

	// 1. The tree hash straight from the tiles (unauthenticated), for a
	//    precise diagnostic when it differs from ROOT.
	raw := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			t := tlog.TileForIndex(tileHeight, x)
			t.W = widthAt(size, t.L, t.N)
			data, err := store.ReadTiles([]tlog.Tile{t})
			if err != nil {
				return nil, err
			}
			if hashes[i], err = tlog.HashFromTile(t, data[0], x); err != nil {
				return nil, err
			}
		}
		return hashes, nil
	})
	computed, err := tlog.TreeHash(size, raw)
	if err != nil {
		return nil, fmt.Errorf("x/mod tlog.TreeHash over the tiles: %v", err)
	}
	if computed != root {
		return nil, fmt.Errorf("tree hash from the tiles for size %d is %s, want %s", size, b64(computed[:]), b64(root[:]))
	}

	// 2. Every leaf hash through x/mod's authenticating TileHashReader (which
	//    checks each level-0 tile against its parents up to ROOT), compared
	//    with RecordHash of the entries in the bundles.
	thr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, store)
	entries, bundles := int64(0), 0
	for n := int64(0); n*fullWidth < size; n++ {
		w := widthAt(size, 0, n)
		indexes := make([]int64, w)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, n*fullWidth+int64(i))
		}
		hashes, err := thr.ReadHashes(indexes)
		if err != nil {
			return nil, fmt.Errorf("x/mod TileHashReader, level-0 tile %d: %v", n, err)
		}
		if *skipEntries {
			continue
		}
		bt := tlog.Tile{H: tileHeight, L: -1, N: n, W: w}
		data, fromFull, err := store.readFile(bt)
		if err != nil {
			return nil, fmt.Errorf("entry bundle %s: %v", c2spTilePath(bt), err)
		}
		list, err := parseBundle(data)
		if err != nil {
			return nil, fmt.Errorf("entry bundle %s: %v", c2spTilePath(bt), err)
		}
		want := w
		if fromFull {
			want = fullWidth
		}
		if len(list) != want {
			return nil, fmt.Errorf("entry bundle %s: %d entries, want %d", c2spTilePath(bt), len(list), want)
		}
		for i := 0; i < w; i++ {
			if got := tlog.RecordHash(list[i]); got != hashes[i] {
				return nil, fmt.Errorf("entry %d (bundle %s #%d): RecordHash %s, level-0 tile has %s", n*fullWidth+int64(i), c2spTilePath(bt), i, b64(got[:]), b64(hashes[i][:]))
			}
		}
		entries += int64(w)
		bundles++
	}

	// 3. Every tile of the tree must have been authenticated by x/mod.
	byLevel := []int{}
	for _, t := range expectedTiles(size) {
		if !store.verified[t] {
			return nil, fmt.Errorf("tile %s was not authenticated by x/mod's TileHashReader", c2spTilePath(t))
		}
		for len(byLevel) <= t.L {
			byLevel = append(byLevel, 0)
		}
		byLevel[t.L]++
	}
	fallbacks := store.fallbacks
	if fallbacks == nil {
		fallbacks = []string{}
	}
	return map[string]interface{}{
		"size":           size,
		"root":           b64(root[:]),
		"tiles":          len(store.verified),
		"tiles_by_level": byLevel,
		"entries":        entries,
		"bundles":        bundles,
		"fallbacks":      fallbacks,
	}, nil
}
