from fractions import Fraction as F
import numpy as np
N=21
# U_k as dict power->coef in p
U=[{0:F(1)}]
def deriv(P): return {k-1:c*k for k,c in P.items() if k>0}
def mul(P,Q):
    R={}
    for a,ca in P.items():
        for b,cb in Q.items(): R[a+b]=R.get(a+b,0)+ca*cb
    return R
def add(P,Q):
    R=dict(P)
    for k,c in Q.items(): R[k]=R.get(k,0)+c
    return R
def integ(P): return {k+1:c/(k+1) for k,c in P.items()}
for k in range(N):
    u=U[-1]
    t1=mul({2:F(1,2),4:F(-1,2)},deriv(u))
    t2=mul({0:F(1,8)},integ(mul({0:F(1),2:F(-5)},u)))
    U.append(add(t1,t2))
V=[{0:F(1)}]
for k in range(1,N+1):
    V.append(add(U[k], mul({1:F(-1),3:F(1)}, add(mul({0:F(1,2)},U[k-1]), mul({1:F(1)},deriv(U[k-1]))))))
def Pcoef(P,k):
    # P(p)=p^k sum_j c_j p^{2j}
    c=[]
    for j in range(k+1):
        c.append(P.get(k+2*j,F(0)))
    assert all(kk>=k and (kk-k)%2==0 for kk in P if P[kk]!=0), (k,P)
    return c
q=np.linspace(0,1,20001)
for name,L in (("U",U),("V",V)):
    for k in range(N+1):
        c=[float(x) for x in Pcoef(L[k],k)]
        vals=np.polyval(c[::-1],q)
        print(name,k,"max|P_k|=%.3e"%np.abs(vals).max())
import pickle
pickle.dump(([Pcoef(U[k],k) for k in range(N+1)],[Pcoef(V[k],k) for k in range(N+1)]),open('/tmp/uv.pkl','wb'))
