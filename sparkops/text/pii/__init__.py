"""Rule-based PII and secret detection over plain text (no pyspark): formats plus check
digits, so look-alikes (order numbers, version strings, Luhn-failing card numbers) are left
alone. ``detect(text)`` returns disjoint ``Span``s a redactor can replace left to right.

Scores: 1.0 when a checksum or a decodable structure confirms the match (cards: IIN + Luhn;
IBAN: registry length + mod 97; PRC ID: birth date + MOD 11-2; Bitcoin: Base58Check /
bech32(m); JWT: JSON header with "alg"; PEM block with its END line); 0.9 e-mail, IP address
and provider-prefixed API keys; 0.85 SSN ddd-dd-dddd (0.7 with spaces, 0.5 nine bare digits
after an SSN context word); 0.8 URL with scheme, MAC with ':'/'-', truncated PEM key; 0.75
phone numbers valid for a region; 0.7 ``www.`` URL, Cisco-dotted MAC; 0.6 high-entropy value
assigned to a key/secret/token name; 0.5 bare domain.
"""

from sparkops.text.pii.detect import ENTITIES, detect
from sparkops.text.pii.phones import DEFAULT_REGIONS
from sparkops.text.pii.spans import Span

__all__ = ["DEFAULT_REGIONS", "ENTITIES", "Span", "detect"]
