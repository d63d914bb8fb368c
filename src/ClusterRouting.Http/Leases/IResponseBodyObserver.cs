namespace ClusterRouting.Http;

/// <summary>Told when reading a routed response's body fails because of the member, so that the member can be reported offline.</summary>
internal interface IResponseBodyObserver
{
    void OnBodyFailed(string memberId, Exception exception);
}
