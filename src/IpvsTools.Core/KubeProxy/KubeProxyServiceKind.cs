namespace IpvsTools.KubeProxy;

/// <summary>What kind of address a front end listens on.</summary>
public enum KubeProxyServiceKind
{
    /// <summary>The Service's ClusterIP.</summary>
    ClusterIP = 1,

    /// <summary>A node port: any node address the rules accept (the object's Address is 0.0.0.0 or ::).</summary>
    NodePort = 2,

    /// <summary>One of the Service's spec.externalIPs.</summary>
    ExternalIP = 3,

    /// <summary>A load-balancer ingress IP of the Service's status.</summary>
    LoadBalancer = 4,

    /// <summary>
    /// An external IP or a load-balancer ingress IP: nftables mode sends both through the same external- chain and
    /// the rules do not say which it is (an address with source ranges, in the firewall-ips map, is a load balancer's).
    /// </summary>
    External = 5,
}
