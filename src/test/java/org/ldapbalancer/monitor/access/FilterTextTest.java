package org.ldapbalancer.monitor.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.unboundid.ldap.sdk.Filter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.MalformedPduException;

class FilterTextTest {

  private static String render(Filter filter) throws MalformedPduException {
    return render(filter.encode().encode());
  }

  private static String render(byte[] encoded) throws MalformedPduException {
    ByteBuf buf = Unpooled.wrappedBuffer(encoded);
    StringBuilder out = new StringBuilder();
    int end = FilterText.append(out, buf, 0, buf.writerIndex());
    assertThat(end).isEqualTo(encoded.length);
    return out.toString();
  }

  /** Every filter type, in forms where UnboundID's own rendering is RFC 4515's. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "(objectClass=*)",
        "(cn=Babs Jensen)",
        "(!(cn=Tim Howes))",
        "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))",
        "(o=univ*of*mich*)",
        "(cn=*)",
        "(cn=a*)",
        "(cn=*a)",
        "(cn=*a*b*)",
        "(cn=a*b*c)",
        "(uidNumber>=1000)",
        "(uidNumber<=2000)",
        "(sn~=jensen)",
        "(cn:caseExactMatch:=Fred Flintstone)",
        "(cn:=Betty Rubble)",
        "(sn:dn:2.4.6.8.10:=Barney Rubble)",
        "(o:dn:=Ace Industry)",
        "(:1.2.3:=Wilma Flintstone)",
        "(:DN:2.4.6.8.10:=Dino)",
        "(&)",
        "(|)",
        "(cn=a\\2ab)",
        "(cn=\\28x\\29)",
        "(cn=back\\5cslash)",
        "(cn=nul\\00byte)"
      })
  void rendersAsUnboundIdDoes(String text) throws Exception {
    Filter filter = Filter.create(text);

    String rendered = render(filter);

    assertThat(rendered).isEqualToIgnoringCase(filter.toString());
    assertThat(Filter.create(rendered)).isEqualTo(filter);
  }

  @Test
  void theDnFlagIsWrittenLowerCaseBeforeTheRule() throws Exception {
    assertThat(render(Filter.create("(:DN:2.4.6.8.10:=Dino)"))).isEqualTo("(:dn:2.4.6.8.10:=Dino)");
  }

  @Test
  void validUtf8StaysReadableAndParsesBackToTheSameFilter() throws Exception {
    Filter filter = Filter.createEqualityFilter("cn", "Jürgen Ørsted 日本");

    String rendered = render(filter);

    assertThat(rendered).isEqualTo("(cn=Jürgen Ørsted 日本)");
    assertThat(Filter.create(rendered)).isEqualTo(filter);
  }

  @Test
  void octetsThatAreNotUtf8AreEscaped() throws Exception {
    Filter filter =
        Filter.createEqualityFilter("photo", new byte[] {(byte) 0xff, 'a', (byte) 0x80});

    String rendered = render(filter);

    assertThat(rendered).isEqualTo("(photo=\\ffa\\80)");
    assertThat(Filter.create(rendered)).isEqualTo(filter);
  }

  @Test
  void controlCharactersAndQuotesAreEscapedSoALogLineStaysOneLine() throws Exception {
    Filter filter = Filter.createEqualityFilter("cn", "a\nb\"c\u007f");

    String rendered = render(filter);

    assertThat(rendered).isEqualTo("(cn=a\\0ab\\22c\\7f)");
    assertThat(Filter.create(rendered)).isEqualTo(filter);
  }

  @Test
  void substringsEveryPartEscaped() throws Exception {
    Filter filter =
        Filter.createSubstringFilter("cn", "(a", new String[] {"b*", "c\\"}, ")d");

    assertThat(render(filter)).isEqualTo("(cn=\\28a*b\\2a*c\\5c*\\29d)");
  }

  @Test
  void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
    Filter filter = Filter.createPresenceFilter("cn");
    for (int i = 0; i < 150; i++) {
      filter = Filter.createNOTFilter(filter);
    }
    Filter deep = filter;

    assertThatExceptionOfType(MalformedPduException.class).isThrownBy(() -> render(deep));
  }

  @Test
  void anUnknownFilterTypeIsMalformed() {
    assertThatExceptionOfType(MalformedPduException.class)
        .isThrownBy(() -> render(new byte[] {(byte) 0xaa, 0x00}))
        .withMessageContaining("0xaa");
  }

  @Test
  void aTruncatedFilterIsMalformed() {
    assertThatExceptionOfType(MalformedPduException.class)
        .isThrownBy(() -> render(new byte[] {(byte) 0xa3, 0x05, 0x04, 0x01, 'c'}));
  }
}
