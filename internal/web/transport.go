package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// This file is how bangfu is reached: directly over TLS, or behind a proxy that terminates TLS (SPEC §9.1,
// issue 15 item 5). X-Forwarded-For and X-Forwarded-Proto are honoured only from Config.TrustedProxies, so
// a client cannot choose the address the audit trail records for it, nor pretend to be on HTTPS.

// hstsValue is sent on every answer over HTTPS: browsers then refuse plain HTTP to this host for a year.
const hstsValue = "max-age=31536000"

// ParseCIDRs reads a comma-separated list of CIDRs (a bare IP address is one host) for TrustedProxies.
func ParseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			ip := net.ParseIP(s)
			if ip == nil {
				return nil, fmt.Errorf("受信任代理地址无效：%q", s)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("受信任代理网段无效：%q", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// ipExtractor picks the client address: the peer itself, unless the peer is a trusted proxy, in which case
// the nearest untrusted address in X-Forwarded-For.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromTrustedProxy reports whether the request's peer is one of the trusted proxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.trustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// overHTTPS reports whether the browser reached bangfu over HTTPS: TLS here, or a trusted proxy that says so.
func (s *Server) overHTTPS(r *http.Request) bool {
	return r.TLS != nil || (s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https"))
}

// secureCookie reports whether the session cookie gets the Secure flag: over HTTPS, or always when the
// operator forces it (Config.SecureCookie, for a proxy that does not send X-Forwarded-Proto).
func (s *Server) secureCookie(c echo.Context) bool {
	return s.forceSecureCookie || s.overHTTPS(c.Request())
}

// hsts adds Strict-Transport-Security to every answer over HTTPS.
func (s *Server) hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.overHTTPS(c.Request()) {
			c.Response().Header().Set("Strict-Transport-Security", hstsValue)
		}
		return next(c)
	}
}
