package usign

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// RFC 8032's first Ed25519 test vector, in usign's records.
func TestKnownVector(t *testing.T) {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	wantSig := "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
	s := &Secret{Fingerprint: [8]byte{0, 1, 2, 3, 4, 5, 6, 7}, Key: ed25519.NewKeyFromSeed(seed)}
	sig := s.Sign(nil)
	lines := strings.Split(strings.TrimSpace(string(sig)), "\n")
	if lines[0] != "untrusted comment: signed by key 1020304050607" {
		t.Errorf("comment %q (fingerprint as usign prints it: %%PRIx64)", lines[0])
	}
	rec, _ := base64.StdEncoding.DecodeString(lines[1])
	if got := hex.EncodeToString(rec); got != "4564"+"0001020304050607"+wantSig {
		t.Errorf("signature record %s", got)
	}
	pub := s.Public()
	if hex.EncodeToString(pub.Key) != "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" {
		t.Errorf("public key %x", pub.Key)
	}
	if err := pub.Verify(nil, sig); err != nil {
		t.Error(err)
	}
}

func TestRoundTrip(t *testing.T) {
	s, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseSecret(s.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if s2.Fingerprint != s.Fingerprint || !s2.Key.Equal(s.Key) {
		t.Error("secret key changed through its file")
	}
	pub, err := ParsePublic(s.Public().Marshal())
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("Package: ddns-updater\n")
	sig := s2.Sign(msg)
	if err := pub.Verify(msg, sig); err != nil {
		t.Fatal(err)
	}
	if err := pub.Verify(append(msg, 'x'), sig); err == nil {
		t.Error("a changed message verified")
	}
	other, _ := Generate()
	if err := other.Public().Verify(msg, sig); err == nil {
		t.Error("another key verified")
	}
	bad := s.Marshal()
	bad[len(bad)-5] ^= 1
	if _, err := ParseSecret(bad); err == nil {
		t.Error("a damaged secret key accepted")
	}
	if _, err := ParsePublic([]byte("no comment\nRWQ=\n")); err == nil {
		t.Error("a file without the comment line accepted")
	}
}
