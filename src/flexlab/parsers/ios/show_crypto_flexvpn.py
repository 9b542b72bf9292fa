"""IOS parser for ``show crypto ikev2 client flexvpn [<name>]``: same output as IOS XE."""

from flexlab.parsers.iosxe.show_crypto_flexvpn import (
    ShowCryptoIkev2ClientFlexvpn as ShowCryptoIkev2ClientFlexvpn_iosxe,
)


class ShowCryptoIkev2ClientFlexvpn(ShowCryptoIkev2ClientFlexvpn_iosxe):
    """Parser for:
    * 'show crypto ikev2 client flexvpn'
    * 'show crypto ikev2 client flexvpn {name}'
    """
