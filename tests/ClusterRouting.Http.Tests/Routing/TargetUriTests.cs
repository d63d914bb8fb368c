namespace ClusterRouting.Http.Tests.Routing;

public class TargetUriTests
{
    [Theory]
    [InlineData("http://10.0.0.5:8080/gw/", "http://refresh/query?x=1", "http://10.0.0.5:8080/gw/query?x=1")]
    [InlineData("http://10.0.0.5:8080/gw", "http://refresh/query?x=1", "http://10.0.0.5:8080/gw/query?x=1")]
    [InlineData("http://10.0.0.5:8080/", "http://refresh/query?x=1", "http://10.0.0.5:8080/query?x=1")]
    [InlineData("http://10.0.0.5:8080", "http://refresh/a/b/c", "http://10.0.0.5:8080/a/b/c")]
    [InlineData("http://10.0.0.5:8080/gw/", "http://refresh/", "http://10.0.0.5:8080/gw/")]
    [InlineData("http://10.0.0.5:8080/gw/", "http://refresh", "http://10.0.0.5:8080/gw/")]
    [InlineData("https://gw.example:443/a/b/", "http://refresh/q", "https://gw.example/a/b/q")]
    [InlineData("http://10.0.0.5:8080/gw/", "https+http://refresh:5000/q?a=1&b=2", "http://10.0.0.5:8080/gw/q?a=1&b=2")]
    public void Compose_MemberAddressAndRequest_KeepsMemberBaseAndRequestPathAndQuery(string member, string request, string expected)
    {
        Uri target = TargetUri.Compose(new Uri(member), new Uri(request));

        Assert.Equal(expected, target.AbsoluteUri);
    }

    [Fact]
    public void Compose_EscapedPathAndQuery_StayEscapedOnce()
    {
        Uri target = TargetUri.Compose(new Uri("http://10.0.0.5/gw/"), new Uri("http://refresh/a%20b/c%2Fd?q=%26x%3D1"));

        Assert.Equal("/gw/a%20b/c%2Fd?q=%26x%3D1", target.PathAndQuery);
    }

    [Fact]
    public void Compose_RequestWithFragment_DropsFragment()
    {
        Uri target = TargetUri.Compose(new Uri("http://10.0.0.5/"), new Uri("http://refresh/page?x=1#section"));

        Assert.Equal("http://10.0.0.5/page?x=1", target.AbsoluteUri);
    }

    [Fact]
    public void Compose_MemberAddressWithQuery_DropsMemberQuery()
    {
        Uri target = TargetUri.Compose(new Uri("http://10.0.0.5/gw/?tenant=a"), new Uri("http://refresh/q"));

        Assert.Equal("http://10.0.0.5/gw/q", target.AbsoluteUri);
    }

    [Theory]
    [InlineData("query?x=1", "http://10.0.0.5/gw/query?x=1")]
    [InlineData("/query", "http://10.0.0.5/gw/query")]
    [InlineData("query#frag", "http://10.0.0.5/gw/query")]
    public void Compose_RelativeRequest_TakenAsPath(string request, string expected)
    {
        Uri target = TargetUri.Compose(new Uri("http://10.0.0.5/gw/"), new Uri(request, UriKind.Relative));

        Assert.Equal(expected, target.AbsoluteUri);
    }

    [Theory]
    [InlineData("#section", "/")]
    [InlineData("q?x=1#section", "/q?x=1")]
    [InlineData("/q", "/q")]
    public void PathAndQuery_RelativeRequest_IsAPathWithoutItsFragment(string relative, string expected)
    {
        Assert.Equal(expected, TargetUri.PathAndQuery(new Uri(relative, UriKind.Relative)));
    }
}
