const EMAIL_USER = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+$/i;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * `format: "email"` as the server's `validator` crate checks it: a user part of at most
 * 64 HTML5-allowed characters, `@`, and a domain of at most 255 characters made of
 * letter-digit-hyphen labels (international names after their punycode form) or an
 * address literal in brackets.
 */
export function isEmail(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if ([...user].length > 64 || [...domain].length > 255) return false;
  if (!EMAIL_USER.test(user)) return false;
  if (DOMAIN.test(domain)) return true;
  if (domain.startsWith("[") && domain.endsWith("]")) return isIpAddress(domain.slice(1, -1));
  try {
    return DOMAIN.test(new URL(`http://${domain}/`).hostname);
  } catch {
    return false;
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 (no leading zeros) or IPv6 address, as Rust's `IpAddr` parses one. */
function isIpAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  return value.includes(":") && !/[[\]/%]/.test(value) && isUrl(`http://[${value}]/`);
}

/** `format: "uri"`: an absolute URL, as the WHATWG parser (which the server's `url` crate follows) reads it. */
export function isUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
