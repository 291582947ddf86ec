// Package usign reads and writes OpenWrt's usign (signify-like) Ed25519 keys
// and signatures, as opkg checks a feed's Packages.sig: each file is an
// "untrusted comment: ..." line and a base64 line of a binary record
// ("Ed", 8-byte fingerprint, key or signature). The maths is crypto/ed25519.
package usign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secret is a usign secret key.
type Secret struct {
	Fingerprint [8]byte
	Key         ed25519.PrivateKey
}

// Public is a usign public key.
type Public struct {
	Fingerprint [8]byte
	Key         ed25519.PublicKey
}

// Sizes of the binary records.
const (
	secretLen = 2 + 2 + 4 + 16 + 8 + 8 + 64
	publicLen = 2 + 8 + 32
	sigLen    = 2 + 8 + 64
)

// FingerprintHex is how usign and opkg name a key: the fingerprint as a
// big-endian number in lower-case hex without leading zeros (opkg looks for
// /etc/opkg/keys/<that>).
func FingerprintHex(fp [8]byte) string {
	return fmt.Sprintf("%x", binary.BigEndian.Uint64(fp[:]))
}

// Generate makes a new key pair with a random fingerprint, as `usign -G` does.
func Generate() (*Secret, error) {
	var fp [8]byte
	if _, err := rand.Read(fp[:]); err != nil {
		return nil, err
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Secret{Fingerprint: fp, Key: key}, nil
}

// Public is the secret key's public half.
func (s *Secret) Public() *Public {
	return &Public{Fingerprint: s.Fingerprint, Key: s.Key.Public().(ed25519.PublicKey)}
}

func file(comment string, rec []byte) []byte {
	return []byte("untrusted comment: " + comment + "\n" + base64.StdEncoding.EncodeToString(rec) + "\n")
}

// decode reads a usign file's record of n bytes starting with "Ed".
func decode(b []byte, n int, what string) ([]byte, error) {
	lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "untrusted comment:") {
		return nil, fmt.Errorf("usign: %s: no 'untrusted comment:' line", what)
	}
	rec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil {
		return nil, fmt.Errorf("usign: %s: %w", what, err)
	}
	if len(rec) != n || string(rec[:2]) != "Ed" {
		return nil, fmt.Errorf("usign: %s: a record of %d bytes, want %d starting with Ed", what, len(rec), n)
	}
	return rec, nil
}

// Marshal writes the secret key file (unencrypted: kdf "BK" with 0 rounds,
// as `usign -G` without a password; the checksum is sha512 of the key's 64 bytes).
func (s *Secret) Marshal() []byte {
	rec := []byte("EdBK")
	rec = append(rec, 0, 0, 0, 0)          // kdf rounds
	rec = append(rec, make([]byte, 16)...) // salt
	sum := sha512.Sum512(s.Key)
	rec = append(rec, sum[:8]...)
	rec = append(rec, s.Fingerprint[:]...)
	rec = append(rec, s.Key...)
	return file("private key "+FingerprintHex(s.Fingerprint), rec)
}

// Marshal writes the public key file.
func (p *Public) Marshal() []byte {
	rec := append([]byte("Ed"), p.Fingerprint[:]...)
	rec = append(rec, p.Key...)
	return file("public key "+FingerprintHex(p.Fingerprint), rec)
}

// ParseSecret reads a secret key file; a password-protected one is refused, as usign refuses it.
func ParseSecret(b []byte) (*Secret, error) {
	rec, err := decode(b, secretLen, "secret key")
	if err != nil {
		return nil, err
	}
	if string(rec[2:4]) != "BK" {
		return nil, errors.New("usign: secret key: unknown kdf")
	}
	if binary.BigEndian.Uint32(rec[4:8]) != 0 {
		return nil, errors.New("usign: secret key: password-protected keys are not supported")
	}
	s := &Secret{Key: ed25519.NewKeyFromSeed(rec[40:72])}
	copy(s.Fingerprint[:], rec[32:40])
	if !bytes.Equal(s.Key[32:], rec[72:104]) {
		return nil, errors.New("usign: secret key: its public half does not match its seed")
	}
	if sum := sha512.Sum512(rec[40:104]); !bytes.Equal(sum[:8], rec[24:32]) {
		return nil, errors.New("usign: secret key: checksum mismatch")
	}
	return s, nil
}

// LoadSecret reads a secret key file from disk.
func LoadSecret(path string) (*Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSecret(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParsePublic reads a public key file.
func ParsePublic(b []byte) (*Public, error) {
	rec, err := decode(b, publicLen, "public key")
	if err != nil {
		return nil, err
	}
	p := &Public{Key: ed25519.PublicKey(rec[10:42])}
	copy(p.Fingerprint[:], rec[2:10])
	return p, nil
}

// Sign returns the signature file for msg (Ed25519 over the message itself).
func (s *Secret) Sign(msg []byte) []byte {
	rec := append([]byte("Ed"), s.Fingerprint[:]...)
	rec = append(rec, ed25519.Sign(s.Key, msg)...)
	return file("signed by key "+FingerprintHex(s.Fingerprint), rec)
}

// Verify checks a signature file against msg, as `usign -V -p KEY -m MSG` does.
func (p *Public) Verify(msg, sigFile []byte) error {
	rec, err := decode(sigFile, sigLen, "signature")
	if err != nil {
		return err
	}
	if !bytes.Equal(rec[2:10], p.Fingerprint[:]) {
		return fmt.Errorf("usign: signed by key %x, not %s", rec[2:10], FingerprintHex(p.Fingerprint))
	}
	if !ed25519.Verify(p.Key, msg, rec[10:]) {
		return errors.New("usign: verification failed")
	}
	return nil
}
